// The import wizard's logic, apart from the screen: what kind of file was chosen, the words for
// the report's codes (a skipped deal's `why`, an unmatched user's, a re-run's changes), the
// stage map the admin builds from the dry run's unmapped stages, the report in numbers, an
// error as something the admin can act on, and following a long import (202) to its end.
import { ApiError, type Schemas } from "../../api/client";

export type Report = Schemas["ImportReport"];
export type Job = Schemas["ImportJob"];
export type Stage = Schemas["StageOut"];
export type Document = Schemas["Bitrix24Document"];
export type StageMap = Record<string, string>;

/** The chosen file, ready to send: the REST export as parsed JSON, the CSV export as it is. */
export type Source =
  | { kind: "json"; name: string; document: Document }
  | { kind: "csv"; name: string; file: Blob };

export type FileKind = "json" | "csv";

/** By the name's ending (what the admin sees too); a file without one cannot be told apart. */
export function kindOf(name: string): FileKind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".csv")) return "csv";
  return null;
}

/** The gateway takes an import of 1 MB at most (gateway/entrypoints/imports.py MAX_IMPORT):
 * a larger file is refused here, before it is sent, with the same words as the server's 413. */
export const MAX_FILE = 1024 * 1024;

/** A problem with the file found before anything is sent: the admin picks another. */
export class FileProblem extends Error {
  constructor(readonly key: "file.kind" | "file.not_json" | "file.not_export" | "file.empty") {
    super(key);
  }
}

/** The REST export: an object with a list of deals (the server checks the rest). */
export function documentOf(text: string): Document {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FileProblem("file.not_json");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new FileProblem("file.not_export");
  const found = parsed as Record<string, unknown>;
  if (!Array.isArray(found.deals)) throw new FileProblem("file.not_export");
  return found as Document;
}

/** The document sent with the admin's stage map over whatever map the file itself had. */
export function withMap(document: Document, map: StageMap): Document {
  return { ...document, stage_map: { ...(document.stage_map ?? {}), ...map } };
}

// -- words for the report's codes ------------------------------------------------------------

/** contracts/api/imports.py Skipped.why: every code the import gives a skipped deal. */
export const WHY = [
  "no_contact",
  "contact_not_found",
  "no_phone",
  "phone_unparseable",
  "no_customer_name",
  "unmapped_stage",
  "bad_date",
  "bad_amount",
] as const;
export type Why = (typeof WHY)[number];
export type WhyKey = `why.${Why}` | "why.other";

export function whyKey(code: string): WhyKey {
  return (WHY as readonly string[]).includes(code) ? (`why.${code}` as WhyKey) : "why.other";
}

/** A skipped deal's detail where it adds to the reason: the stage's name for an unmapped
 * stage (the server says `stage 'X' is not in stage_map`), nothing where the reason says it
 * all, the server's own words (the contact, the value that did not read) otherwise. */
export function detailOf(skipped: { why: string; detail: string }): string {
  if (skipped.why === "no_contact") return "";
  if (skipped.why === "unmapped_stage") {
    const stage = /stage (['"])(.+)\1 is not in stage_map/.exec(skipped.detail);
    return stage ? `«${stage[2]}»` : skipped.detail;
  }
  return skipped.detail;
}

export type UserWhyKey = "user.not_found" | "user.not_in_users" | "user.role" | "user.other";

/** services/orders/domain/bitrix24.py _manager: "not_found", "not_in_users", or
 * "role <role> cannot manage orders" (a user of ours who may not be an order's manager). */
export function userWhy(why: string): { key: UserWhyKey; role?: string } {
  if (why === "not_found") return { key: "user.not_found" };
  if (why === "not_in_users") return { key: "user.not_in_users" };
  const role = /^role (\S+) cannot manage orders$/.exec(why);
  if (role?.[1]) return { key: "user.role", role: role[1] };
  return { key: "user.other" };
}

/** What a re-run changed in an imported order (contracts ImportedOrder.changes). */
export const CHANGES = ["stage", "title", "customer", "manager"] as const;
export type ChangeKey = `change.${(typeof CHANGES)[number]}`;
export const changeKey = (change: string): ChangeKey | null =>
  (CHANGES as readonly string[]).includes(change) ? (`change.${change}` as ChangeKey) : null;

// -- the stage map ---------------------------------------------------------------------------

const norm = (s: string): string => s.trim().toLowerCase().replace(/ё/g, "е");
const WON = /(^|:)won$|успешн|выигр/;
const LOST = /(^|:)(lose|apology)$|провал|проигр|отказ|\blost\b/;

/** Our stage a Bitrix24 stage most likely is, to start the admin's choice from, or "": the
 * stage of ours with the same key or title (a CSV names stages by title: «Замер» is our
 * «Замер»), a won or lost stage by its words (the CSV's «Сделка успешна», «Сделка провалена»,
 * which the import cannot tell by id), nothing otherwise. The admin confirms or changes it. */
export function suggest(bitrix: string, stages: readonly Stage[]): string {
  const name = norm(bitrix);
  const same = stages.find((s) => [s.key, s.title_ru, s.title_en].some((t) => norm(t) === name));
  if (same) return same.key;
  const terminal = stages.filter((s) => s.terminal);
  const lost = terminal.find((s) => s.key === "cancelled");
  const won = terminal.find((s) => s !== lost);
  if (LOST.test(name) && lost) return lost.key;
  if (WON.test(name) && won) return won.key;
  return "";
}

/** The map to send: the one the last check used, with the admin's choices for the stages it
 * found unmapped; a stage left unchosen stays out (its deals are skipped, and said so). */
export function nextMap(previous: StageMap, unmapped: readonly string[], chosen: StageMap): StageMap {
  const out = { ...previous };
  for (const stage of unmapped) {
    const ours = chosen[stage];
    if (ours) out[stage] = ours;
  }
  return out;
}

/** The first choices for the unmapped stages: what was chosen before, else the suggestion. */
export function initialChoices(unmapped: readonly string[], stages: readonly Stage[], had: StageMap): StageMap {
  return Object.fromEntries(unmapped.map((s) => [s, had[s] ?? suggest(s, stages)]));
}

// -- the report in numbers ------------------------------------------------------------------

export type Summary = {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Skipped deals by reason, most frequent first. */
  byWhy: { key: WhyKey; count: number }[];
  /** Nothing to create or update: everything there already (a second run), or nothing usable. */
  nothingNew: boolean;
  /** Needs the admin before importing: stages to map. */
  needsMap: boolean;
};

export function summarize(report: Report): Summary {
  const counts = new Map<WhyKey, number>();
  for (const s of report.skipped) counts.set(whyKey(s.why), (counts.get(whyKey(s.why)) ?? 0) + 1);
  const byWhy = [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count);
  return {
    created: report.created,
    updated: report.updated,
    unchanged: report.unchanged,
    skipped: report.skipped.length,
    byWhy,
    nothingNew: report.created + report.updated === 0,
    needsMap: report.unmapped_stages.length > 0,
  };
}

/** The orders a report lists that are news (created, updated), those first; unchanged ones
 * are a count, not a table of hundreds. */
export function newsOf(report: Report): Report["orders"] {
  const rank = { created: 0, updated: 1, unchanged: 2 } as const;
  return report.orders.filter((o) => o.action !== "unchanged").sort((a, b) => rank[a.action] - rank[b.action]);
}

/** Deals in a long import's progress bar, as a whole percent. */
export const percent = (job: Pick<Job, "done" | "total">): number =>
  job.total > 0 ? Math.min(100, Math.round((job.done / job.total) * 100)) : 0;

// -- errors ---------------------------------------------------------------------------------

export type ProblemKey =
  | "problem.conflict"
  | "problem.interrupted"
  | "problem.too_large"
  | "problem.no_column"
  | "problem.empty"
  | "problem.no_id"
  | "problem.twice"
  | "problem.unknown_stage"
  | "problem.not_export"
  | "problem.server";

/** An import's failure as the admin reads it: a known case in words (with what to do), or
 * the server's own message, or null when it is a general error (network, access) for the
 * app's common words. */
export type Problem = { key: ProblemKey; params?: Record<string, string>; detail?: string };

const KNOWN: [RegExp, ProblemKey, string[]][] = [
  [/the CSV has no column (.+?) \(found: (.*)\)$/s, "problem.no_column", ["columns", "found"]],
  [/the CSV file is empty/, "problem.empty", []],
  [/CSV line (\d+): no ID/, "problem.no_id", ["line"]],
  [/deal (.+) appears twice in deals/, "problem.twice", ["deal"]],
  [/stage_map names stages this pipeline does not have: (.*?) \(known/s, "problem.unknown_stage", ["stages"]],
];

export function problemOf(code: string, status: number, detail: string): Problem | null {
  if (code === "import_conflict" || status === 409) return { key: "problem.conflict" };
  if (code === "import_interrupted") return { key: "problem.interrupted" };
  if (code === "too_large" || status === 413) return { key: "problem.too_large" };
  for (const [pattern, key, names] of KNOWN) {
    const found = pattern.exec(detail);
    if (found) return { key, params: Object.fromEntries(names.map((n, i) => [n, found[i + 1] ?? ""])) };
  }
  if (status === 422) return { key: "problem.not_export", detail };
  if (status === 0 && code !== "network") return { key: "problem.server", detail };
  return null;
}

/** From what a call threw: an ApiError, or a failed job's error. */
export function problemOfError(err: unknown): Problem | null {
  if (err instanceof JobFailed) return problemOf(err.code, 0, err.detail);
  if (err instanceof ApiError) return problemOf(err.code, err.status, err.message);
  return null;
}

/** A long import that ended failed (nothing of it kept): its job's error. */
export class JobFailed extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

// -- following a long import ----------------------------------------------------------------

export const POLL_MS = 1000;

/** The report of an import answered 200, or of a 202's job once it is no longer running:
 * asks for the job every `POLL_MS`, telling `onProgress` each time. A failed job, or one
 * interrupted (its server process ended), throws JobFailed; an aborted signal stops it (the
 * admin left the screen). */
export async function follow(
  first: Job,
  get: (id: string) => Promise<Job>,
  onProgress: (job: Job) => void,
  signal?: AbortSignal,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<Report> {
  let job = first;
  onProgress(job);
  while (job.status === "running") {
    await wait(POLL_MS);
    if (signal?.aborted) throw new DOMException("left", "AbortError");
    job = await get(job.id);
    onProgress(job);
  }
  if (job.status === "done" && job.report) return job.report;
  const error = job.error ?? {};
  throw new JobFailed(
    typeof error.code === "string" ? error.code : job.status === "interrupted" ? "import_interrupted" : "import_failed",
    typeof error.detail === "string" ? error.detail : "",
  );
}

// -- past imports ---------------------------------------------------------------------------

export type StatusKey = `status.${Job["status"]}`;
export const statusKey = (status: Job["status"]): StatusKey => `status.${status}`;

/** The imports that wrote (or tried to), newest first: checks (dry runs) are the admin's
 * drafts, not history. */
export const pastImports = (jobs: readonly Job[]): Job[] => jobs.filter((j) => !j.dry_run);

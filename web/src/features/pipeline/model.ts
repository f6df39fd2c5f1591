// The pipeline as the form edits it, and what a new version changes against the current one.
// Stages are in board order; `forward` names the moves allowed from each stage, always to a
// later one (services/orders/domain/pipeline.py refuses anything else), so every edit here
// keeps it so: a move that a reorder turns backwards is dropped, a stage added after another
// is put in its path, and a removed stage's moves pass on to those who led to it.
import type { Schemas } from "../../api/client";

export type Pipeline = Schemas["PipelineOut"];
export type Gate = Schemas["GateConditionOut"];
export type PipelineRequest = Schemas["PipelineRequest"];

export type StageDraft = {
  key: string;
  title_ru: string;
  title_en: string;
  /** As typed: "" is no limit. */
  limit: string;
  terminal: boolean;
  gate: Gate[];
};
export type Draft = { stages: StageDraft[]; forward: Record<string, string[]> };

export const FIRST = "intake";
export const CANCELLED = "cancelled";
export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/** Stages every version must have (the first, and a terminal cancelled): not removable. */
export const fixed = (key: string): boolean => key === FIRST || key === CANCELLED;

export function draftOf(p: Pipeline): Draft {
  return {
    stages: p.stages.map((s) => ({
      key: s.key,
      title_ru: s.title_ru,
      title_en: s.title_en,
      limit: s.limit_hours === null || s.limit_hours === undefined ? "" : String(s.limit_hours),
      terminal: Boolean(s.terminal),
      gate: [...(s.gate ?? [])],
    })),
    forward: Object.fromEntries(Object.entries(p.forward).map(([k, v]) => [k, [...v]])),
  };
}

/** Only moves to a later stage, in board order, none from or to an unknown stage. */
function tidy(stages: StageDraft[], forward: Record<string, string[]>): Record<string, string[]> {
  const at = new Map(stages.map((s, i) => [s.key, i]));
  const out: Record<string, string[]> = {};
  for (const s of stages) {
    const from = at.get(s.key) ?? 0;
    const targets = [...new Set(forward[s.key] ?? [])]
      .filter((t) => (at.get(t) ?? -1) > from)
      .sort((a, b) => (at.get(a) ?? 0) - (at.get(b) ?? 0));
    if (targets.length) out[s.key] = targets;
  }
  return out;
}

export function moveStage(d: Draft, index: number, delta: -1 | 1): Draft {
  const to = index + delta;
  if (to < 0 || to >= d.stages.length) return d;
  const stages = [...d.stages];
  const [stage] = stages.splice(index, 1);
  stages.splice(to, 0, stage as StageDraft);
  return { stages, forward: tidy(stages, d.forward) };
}

/** A new stage right after `after`, in its path: after → new → what `after` led to. */
export function addStage(d: Draft, after: string, stage: Pick<StageDraft, "key" | "title_ru" | "title_en">): Draft {
  const at = d.stages.findIndex((s) => s.key === after);
  const stages = [...d.stages];
  stages.splice(at + 1, 0, { ...stage, limit: "", terminal: false, gate: [] });
  const forward = { ...d.forward, [after]: [stage.key], [stage.key]: d.forward[after] ?? [] };
  return { stages, forward: tidy(stages, forward) };
}

/** Without `key`; whoever could move to it may move where it led instead. */
export function removeStage(d: Draft, key: string): Draft {
  const stages = d.stages.filter((s) => s.key !== key);
  const onward = d.forward[key] ?? [];
  const forward: Record<string, string[]> = {};
  for (const [from, targets] of Object.entries(d.forward)) {
    if (from === key) continue;
    forward[from] = targets.flatMap((t) => (t === key ? onward : [t]));
  }
  return { stages, forward: tidy(stages, forward) };
}

export function setStage(d: Draft, key: string, patch: Partial<StageDraft>): Draft {
  return { ...d, stages: d.stages.map((s) => (s.key === key ? { ...s, ...patch } : s)) };
}

export function setForward(d: Draft, from: string, to: string, allowed: boolean): Draft {
  const had = d.forward[from] ?? [];
  const next = allowed ? [...had, to] : had.filter((t) => t !== to);
  return { ...d, forward: tidy(d.stages, { ...d.forward, [from]: next }) };
}

/** Every gate condition of the version, once per code: what a stage's gate may be made of. */
export function gateCatalogue(p: Pipeline): Gate[] {
  const seen = new Map<string, Gate>();
  for (const s of p.stages) for (const g of s.gate ?? []) if (!seen.has(g.code)) seen.set(g.code, g);
  return [...seen.values()];
}

export type Problem = "required" | "key_pattern" | "key_taken" | "limit";

/** What the form refuses before asking, keyed "<stage>.<field>". */
export function problemsOf(d: Draft): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  for (const s of d.stages) {
    if (!s.title_ru.trim()) out[`${s.key}.title_ru`] = "required";
    if (!s.title_en.trim()) out[`${s.key}.title_en`] = "required";
    if (s.limit.trim() && !(Number(s.limit) > 0)) out[`${s.key}.limit`] = "limit";
  }
  return out;
}

/** A new stage's key: refused before it is added. */
export function newKeyProblem(d: Draft, key: string): Problem | null {
  if (!key) return "required";
  if (!KEY_PATTERN.test(key)) return "key_pattern";
  return d.stages.some((s) => s.key === key) ? "key_taken" : null;
}

export function requestOf(d: Draft): PipelineRequest {
  return {
    stages: d.stages.map((s) => ({
      key: s.key,
      title_ru: s.title_ru.trim(),
      title_en: s.title_en.trim(),
      limit_hours: s.limit.trim() ? Number(s.limit) : null,
      terminal: s.terminal,
      gate: s.gate,
    })),
    forward: tidy(d.stages, d.forward),
  };
}

export type Detail =
  | { field: "title_ru" | "title_en"; from: string; to: string }
  | { field: "limit_hours"; from: number | null; to: number | null }
  | { field: "terminal"; from: boolean; to: boolean }
  | { field: "position"; from: number; to: number }
  | { field: "gate_added" | "gate_removed"; code: string; message_ru: string; message_en: string }
  | { field: "forward"; from: string[]; to: string[] };

export type Change =
  | { kind: "added"; key: string; title_ru: string; title_en: string; position: number }
  | { kind: "removed"; key: string; title_ru: string; title_en: string }
  | { kind: "changed"; key: string; title_ru: string; title_en: string; details: Detail[] };

type StageLike = { key: string; title_ru: string; title_en: string; limit_hours?: number | null; terminal?: boolean; gate?: Gate[] };

/** What `next` adds, removes and changes against `current`, in `next`'s order, then the
 * removed ones. A stage that only moved because another was added or removed before it is
 * not "moved": its position among the stages both versions have is what counts. */
export function diff(current: { stages: StageLike[]; forward: Record<string, string[]> }, next: { stages: StageLike[]; forward: Record<string, string[]> }): Change[] {
  const before = new Map(current.stages.map((s) => [s.key, s]));
  const after = new Set(next.stages.map((s) => s.key));
  const both = (list: StageLike[], other: Set<string> | Map<string, StageLike>) => list.filter((s) => other.has(s.key)).map((s) => s.key);
  const oldOrder = both(current.stages, after);
  const newOrder = both(next.stages, before);
  const out: Change[] = [];
  next.stages.forEach((s, i) => {
    const was = before.get(s.key);
    if (!was) {
      out.push({ kind: "added", key: s.key, title_ru: s.title_ru, title_en: s.title_en, position: i + 1 });
      return;
    }
    const details: Detail[] = [];
    for (const field of ["title_ru", "title_en"] as const) if (was[field] !== s[field]) details.push({ field, from: was[field], to: s[field] });
    const limits = [was.limit_hours ?? null, s.limit_hours ?? null] as const;
    if (limits[0] !== limits[1]) details.push({ field: "limit_hours", from: limits[0], to: limits[1] });
    if (Boolean(was.terminal) !== Boolean(s.terminal)) details.push({ field: "terminal", from: Boolean(was.terminal), to: Boolean(s.terminal) });
    const from = oldOrder.indexOf(s.key);
    const to = newOrder.indexOf(s.key);
    if (from !== to) details.push({ field: "position", from: current.stages.findIndex((x) => x.key === s.key) + 1, to: i + 1 });
    const oldCodes = new Set((was.gate ?? []).map((g) => g.code));
    const newCodes = new Set((s.gate ?? []).map((g) => g.code));
    for (const g of s.gate ?? []) if (!oldCodes.has(g.code)) details.push({ field: "gate_added", code: g.code, message_ru: g.message_ru, message_en: g.message_en });
    for (const g of was.gate ?? []) if (!newCodes.has(g.code)) details.push({ field: "gate_removed", code: g.code, message_ru: g.message_ru, message_en: g.message_en });
    const oldMoves = current.forward[s.key] ?? [];
    const newMoves = next.forward[s.key] ?? [];
    if (oldMoves.join() !== newMoves.join()) details.push({ field: "forward", from: oldMoves, to: newMoves });
    if (details.length) out.push({ kind: "changed", key: s.key, title_ru: s.title_ru, title_en: s.title_en, details });
  });
  for (const s of current.stages) if (!after.has(s.key)) out.push({ kind: "removed", key: s.key, title_ru: s.title_ru, title_en: s.title_en });
  return out;
}

/** Open orders that stay where they are: those of the current version, and of older ones. */
export function staying(counts: { version: number; open_orders: number }[], current: number): { current: number; older: number } {
  let onCurrent = 0;
  let older = 0;
  for (const c of counts) {
    if (c.version === current) onCurrent += c.open_orders;
    else if (c.version < current) older += c.open_orders;
  }
  return { current: onCurrent, older };
}

// A robot (trigger → conditions → actions) as the form edits it, and in words. The shapes are
// the scheduling service's rule model (services/scheduling/domain/rules.py); the gateway
// passes them as JSON objects, so they are typed here. An action keeps every key the form
// does not show (its id, a person it names): an edit never drops what it did not touch.
import type { Schemas } from "../../api/client";

export type Rule = Schemas["Rule"];
export type RuleRequest = Schemas["RuleRequest"];

export const TRIGGERS = ["order_entered_stage", "task_completed", "media_uploaded", "order_overdue"] as const;
export type Trigger = (typeof TRIGGERS)[number];
export const TASK_KINDS = ["measurement", "delivery", "installation", "rework", "book_visit", "production", "custom"] as const;
export const VISIT_KINDS = ["measurement", "delivery", "installation", "rework"] as const;
export const DIRECTIONS = ["forward", "back", "cancel"] as const;
export const MEDIA_KINDS = ["document", "photo"] as const;
export const PURPOSES = [
  "requirements",
  "contract_draft",
  "calculation",
  "signed_contract",
  "measurement",
  "installation",
  "rework",
  "other",
] as const;
export const ACTION_TYPES = ["create_task", "request_stage_move", "notify"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
export const PLACEHOLDERS = ["number", "stage", "from_stage", "title", "task_kind", "purpose"] as const;

export type Conditions = {
  stage?: string | null;
  from_stage?: string | null;
  direction?: string | null;
  task_kind?: string | null;
  media_kind?: string | null;
  media_purpose?: string | null;
  without_booked_visit?: string | null;
  pipeline_version?: number | null;
};
export type ConditionKey = keyof Conditions;

/** Which conditions a trigger's facts carry (rules.py, Fact): the form offers these. */
export const CONDITIONS_OF: Record<Trigger, ConditionKey[]> = {
  order_entered_stage: ["stage", "from_stage", "direction", "without_booked_visit", "pipeline_version"],
  task_completed: ["task_kind", "stage", "without_booked_visit", "pipeline_version"],
  media_uploaded: ["media_kind", "media_purpose", "stage", "pipeline_version"],
  order_overdue: ["stage", "without_booked_visit", "pipeline_version"],
};

export type Action = { type: ActionType } & Record<string, unknown>;

export type Draft = {
  title: string;
  enabled: boolean;
  trigger: Trigger;
  conditions: Conditions;
  actions: Action[];
};

export function draftOf(rule: Rule): Draft {
  return {
    title: rule.title,
    enabled: rule.enabled,
    trigger: (TRIGGERS as readonly string[]).includes(rule.trigger) ? (rule.trigger as Trigger) : "order_entered_stage",
    conditions: { ...(rule.conditions as Conditions) },
    actions: (rule.actions ?? []).map((a) => ({ ...a }) as Action),
  };
}

export function emptyDraft(): Draft {
  return { title: "", enabled: true, trigger: "order_entered_stage", conditions: {}, actions: [newAction("create_task")] };
}

/** A fresh action of `type`, with what the server would default. */
export function newAction(type: ActionType): Action {
  if (type === "create_task") return { type, kind: "custom", title: "", assignee_role: "manager", due_in_hours: 24 };
  if (type === "request_stage_move") return { type, to_stage: "" };
  return { type, manager: true, text_ru: "", text_en: "" };
}

/** Conditions shown for the trigger: its own, and any other already set (never hidden). */
export function shownConditions(draft: Draft): ConditionKey[] {
  const own = CONDITIONS_OF[draft.trigger];
  const set = (Object.keys(draft.conditions) as ConditionKey[]).filter((k) => draft.conditions[k] != null && !own.includes(k));
  return [...own, ...set];
}

/** What the form refuses before asking: keys as the server's paths ("actions.0.title"). */
export function problemsOf(draft: Draft): Record<string, "required" | "recipient"> {
  const out: Record<string, "required" | "recipient"> = {};
  if (!draft.title.trim()) out.title = "required";
  draft.actions.forEach((a, i) => {
    const at = `actions.${i}`;
    if (a.type === "create_task") {
      if (!String(a.title ?? "").trim()) out[`${at}.title`] = "required";
      if (!a.assignee_role && !a.assignee_id) out[`${at}.assignee_role`] = "required";
    } else if (a.type === "request_stage_move") {
      if (!a.to_stage) out[`${at}.to_stage`] = "required";
    } else {
      if (!a.manager && !a.role && !a.user_id) out[`${at}.role`] = "recipient";
      if (!String(a.text_ru ?? "").trim()) out[`${at}.text_ru`] = "required";
      if (!String(a.text_en ?? "").trim()) out[`${at}.text_en`] = "required";
    }
  });
  return out;
}

/** The PUT body: empty conditions left out, `version` the one read (0: a new rule, which
 * must not exist yet). */
export function requestOf(draft: Draft, version: number): RuleRequest {
  const conditions = Object.fromEntries(Object.entries(draft.conditions).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const actions = draft.actions.map((a) => {
    const out: Record<string, unknown> = { ...a };
    if (typeof out.title === "string") out.title = out.title.trim();
    if (a.type === "notify") {
      if (!out.role) delete out.role;
      out.manager = Boolean(out.manager);
    }
    return out;
  });
  return {
    title: draft.title.trim(),
    enabled: draft.enabled,
    trigger: draft.trigger,
    conditions: conditions as RuleRequest["conditions"],
    actions: actions as RuleRequest["actions"],
    version,
  };
}

/** A new rule's id: the server takes any `^[a-z0-9][a-z0-9_-]{0,62}$`, and PUT with version 0
 * refuses one that exists, so a clash is a 409, never an overwrite. */
export function newRuleId(now: number = Date.now(), random: number = Math.random()): string {
  return `rule-${now.toString(36)}-${Math.floor(random * 36 ** 4).toString(36)}`;
}

/** Words for the keys a rule names; `stage` titles a stage key (its own for an unknown one). */
export type Words = {
  trigger: (t: string, stage: string | null) => string;
  condition: (key: ConditionKey, value: string) => string;
  action: (a: Action) => string;
  and: string;
  always: string;
};

/** "Когда …, если …, то …" for the list. */
export function describe(rule: Pick<Draft, "trigger" | "conditions" | "actions">, words: Words): { when: string; then: string[] } {
  const stage = rule.trigger === "order_entered_stage" ? (rule.conditions.stage ?? null) : null;
  const rest = (Object.entries(rule.conditions) as [ConditionKey, unknown][]).filter(
    ([k, v]) => v !== null && v !== undefined && v !== "" && !(k === "stage" && stage !== null),
  );
  const ifs = rest.map(([k, v]) => words.condition(k, String(v)));
  const when = words.trigger(rule.trigger, stage) + (ifs.length ? `, ${ifs.join(` ${words.and} `)}` : "");
  return { when, then: rule.actions.map((a) => words.action(a)) };
}

/** The form's key for a server's path: pydantic names the action's type in it
 * ("actions.0.create_task.title" → "actions.0.title"). */
export function formKey(path: string): string {
  const parts = path.split(".");
  if (parts[0] === "actions" && (ACTION_TYPES as readonly string[]).includes(parts[2] ?? "")) parts.splice(2, 1);
  return parts.slice(0, 3).join(".");
}

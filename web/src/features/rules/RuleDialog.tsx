// One robot in a form: when (the event), if (its conditions, each "any" when empty), then (one
// to ten actions, each with its own fields). What the form can check it checks; what the
// server refuses (a stage no version has, a role that sees no orders) is said under the field.
import { useState, type FormEvent, type ReactElement } from "react";
import { api, ApiError, ok } from "../../api/client";
import { fieldPath } from "../../api/fieldPath";
import { errorText } from "../../app/errors";
import { may, ROLES } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { useFocusFirstInvalid } from "../customer/focus";
import { m, type RuleKey } from "./messages";
import {
  ACTION_TYPES,
  DIRECTIONS,
  MEDIA_KINDS,
  PLACEHOLDERS,
  PURPOSES,
  TASK_KINDS,
  TRIGGERS,
  VISIT_KINDS,
  draftOf,
  emptyDraft,
  formKey,
  newAction,
  newRuleId,
  problemsOf,
  requestOf,
  shownConditions,
  type Action,
  type ActionType,
  type ConditionKey,
  type Draft,
  type Rule,
  type Trigger,
} from "./model";
import { FormActions } from "../../ui/FormActions";

export type Stage = { key: string; title: string };

type Props = { rule: Rule | null; stages: Stage[]; onClose: () => void; onSaved: (rule: Rule, created: boolean) => void };

// Who a robot's task or message may be for: the roles that see orders (an admin sees none).
const RECIPIENTS = ROLES.filter((r) => may(r, "orders.see"));
const CHOICES: Partial<Record<ConditionKey, readonly string[]>> = {
  direction: DIRECTIONS,
  task_kind: TASK_KINDS,
  media_kind: MEDIA_KINDS,
  media_purpose: PURPOSES,
  without_booked_visit: VISIT_KINDS,
};
const PREFIX: Partial<Record<ConditionKey, string>> = {
  direction: "direction",
  task_kind: "task",
  media_kind: "media",
  media_purpose: "purpose",
  without_booked_visit: "visit",
};

function refusal(err: unknown, t: (k: RuleKey) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError) || err.status !== 422) return out;
  const errors = Array.isArray(err.body.errors) ? (err.body.errors as { loc?: unknown[]; msg?: string; type?: string }[]) : [];
  for (const e of errors) {
    const key = formKey(fieldPath(e.loc ?? []));
    if (key && !out[key]) out[key] = e.type === "missing" || e.type === "string_too_short" ? t("error.required") : (e.msg ?? err.message);
  }
  if (!errors.length) {
    const named = /^([a-z_][\w.]*): (.+)$/s.exec(err.message);
    const known: Record<string, RuleKey> = {
      unknown_stage: "error.unknown_stage",
      role_sees_no_orders: "error.role_sees_no_orders",
      unknown_placeholder: "error.unknown_placeholder",
    };
    // A placeholder is the texts' problem: said under the Russian text, which is focused.
    const key = named?.[1] ? formKey(named[1]) + (err.code === "unknown_placeholder" ? ".text_ru" : "") : "";
    if (key) out[key] = known[err.code] ? t(known[err.code]!) : (named?.[2] ?? err.message);
  }
  return out;
}

export function RuleDialog({ rule, stages, onClose, onSaved }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const creating = rule === null;
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftOf(rule) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();

  // A stage a rule names that the current version lacks (an older version's) stays choosable.
  const named = [draft.conditions.stage, draft.conditions.from_stage, ...draft.actions.map((a) => a.to_stage)].filter(
    (k): k is string => typeof k === "string" && k !== "" && !stages.some((s) => s.key === k),
  );
  const stageOptions = [...stages, ...[...new Set(named)].map((key) => ({ key, title: key }))];

  function clear(...keys: string[]): void {
    setErrors((had) => Object.fromEntries(Object.entries(had).filter(([k]) => !keys.includes(k))));
  }
  function setCondition(key: ConditionKey, raw: string): void {
    const value = key === "pipeline_version" ? (raw ? Number(raw) : null) : raw || null;
    setDraft((d) => ({ ...d, conditions: { ...d.conditions, [key]: value } }));
    clear(`conditions.${key}`);
  }
  function setAction(i: number, patch: Partial<Action>, field?: string): void {
    setDraft((d) => ({ ...d, actions: d.actions.map((a, n) => (n === i ? ({ ...a, ...patch } as Action) : a)) }));
    clear(`actions.${i}`, ...(field ? [`actions.${i}.${field}`] : []));
  }
  function retype(i: number, type: ActionType): void {
    // A new kind of action starts afresh; the id goes too (the server gives a new one).
    setDraft((d) => ({ ...d, actions: d.actions.map((a, n) => (n === i ? newAction(type) : a)) }));
    setErrors((had) => Object.fromEntries(Object.entries(had).filter(([k]) => !k.startsWith(`actions.${i}`))));
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setFailure(null);
    const found = problemsOf(draft);
    if (Object.keys(found).length) {
      setErrors(Object.fromEntries(Object.entries(found).map(([k, p]) => [k, t(`error.${p}`)])));
      setFailure(t("form.check"));
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const id = rule?.id ?? newRuleId();
      const body = requestOf(draft, rule?.version ?? 0);
      const saved = await ok(api.PUT("/api/v1/automation/rules/{rule_id}", { params: { path: { rule_id: id } }, body }));
      onSaved(saved, creating);
    } catch (err) {
      const fields = refusal(err, t);
      setErrors(fields);
      const conflict = err instanceof ApiError && err.status === 409;
      setFailure(conflict ? t("error.conflict") : Object.keys(fields).length ? t("form.check") : errorText(err, tc));
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  }

  const stageSelect = (value: unknown, onChange: (v: string) => void, empty: string) =>
    function StageSelect(aria: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }): ReactElement {
      return (
        <select {...aria} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{empty}</option>
          {stageOptions.map((s) => (
            <option key={s.key} value={s.key}>
              {s.title}
            </option>
          ))}
        </select>
      );
    };

  function condition(key: ConditionKey): ReactElement {
    const value = draft.conditions[key];
    const label = t(`cond.label.${key}`);
    const error = errors[`conditions.${key}`];
    if (key === "stage" || key === "from_stage")
      return (
        <Field key={key} label={label} error={error}>
          {stageSelect(value, (v) => setCondition(key, v), t("form.any"))}
        </Field>
      );
    if (key === "pipeline_version")
      return (
        <Field key={key} label={label} error={error}>
          {(aria) => (
            <input {...aria} type="number" min={1} step={1} inputMode="numeric" value={value ?? ""} onChange={(e) => setCondition(key, e.currentTarget.value)} />
          )}
        </Field>
      );
    const choices = CHOICES[key] ?? [];
    return (
      <Field key={key} label={label} error={error}>
        {(aria) => (
          <select {...aria} value={typeof value === "string" ? value : ""} onChange={(e) => setCondition(key, e.currentTarget.value)}>
            <option value="">{t("form.any")}</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                {t(`${PREFIX[key]}.${c}` as RuleKey)}
              </option>
            ))}
          </select>
        )}
      </Field>
    );
  }

  function action(a: Action, i: number): ReactElement {
    const n = i + 1;
    const err = (field: string): string | undefined => errors[`actions.${i}.${field}`];
    const text = (field: string, label: string, long = false): ReactElement => (
      <Field label={label} error={err(field)} hint={long ? t("form.placeholders", { list: PLACEHOLDERS.map((p) => `{${p}}`).join(" ") }) : undefined}>
        {(aria) =>
          long ? (
            <textarea {...aria} rows={2} maxLength={1000} value={String(a[field] ?? "")} onChange={(e) => setAction(i, { [field]: e.currentTarget.value }, field)} />
          ) : (
            <input {...aria} maxLength={200} value={String(a[field] ?? "")} onChange={(e) => setAction(i, { [field]: e.currentTarget.value }, field)} />
          )
        }
      </Field>
    );
    const roleSelect = (field: string, empty: string | null): ReactElement => (
      <Field label={field === "role" ? t("form.notify_role") : t("form.assignee_role")} error={err(field)}>
        {(aria) => (
          <select {...aria} value={String(a[field] ?? "")} onChange={(e) => setAction(i, { [field]: e.currentTarget.value || null }, field)}>
            {empty !== null ? <option value="">{empty}</option> : null}
            {RECIPIENTS.map((r) => (
              <option key={r} value={r}>
                {tc(`role.${r}` as CommonKey)}
              </option>
            ))}
          </select>
        )}
      </Field>
    );
    return (
      <fieldset key={String(a.id ?? `new-${i}`)} className="rule-action" aria-label={t("form.action_n", { n })}>
        <legend>{t("form.action_n", { n })}</legend>
        <div className="rule-action-head">
          <Field label={t("form.action_type", { n })}>
            {(aria) => (
              <select {...aria} value={a.type} onChange={(e) => retype(i, e.currentTarget.value as ActionType)}>
                {ACTION_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`type.${type}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {draft.actions.length > 1 ? (
            <button
              type="button"
              className="danger"
              onClick={() => setDraft((d) => ({ ...d, actions: d.actions.filter((_, k) => k !== i) }))}
            >
              {t("form.remove_action", { n })}
            </button>
          ) : null}
        </div>
        {errors[`actions.${i}`] ? (
          <p className="field-error error small" role="alert">
            {errors[`actions.${i}`]}
          </p>
        ) : null}
        {a.type === "create_task" ? (
          <div className="rule-grid">
            {text("title", t("form.task_title"))}
            <Field label={t("form.task_kind")} error={err("kind")}>
              {(aria) => (
                <select {...aria} value={String(a.kind ?? "custom")} onChange={(e) => setAction(i, { kind: e.currentTarget.value }, "kind")}>
                  {TASK_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t(`task.${k}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {a.assignee_id && !a.assignee_role ? <p className="muted small">{t("form.assignee_person")}</p> : roleSelect("assignee_role", t("form.choose"))}
            <Field label={t("form.due_in_hours")} error={err("due_in_hours")}>
              {(aria) => (
                <input
                  {...aria}
                  type="number"
                  min={0}
                  step="any"
                  inputMode="decimal"
                  value={a.due_in_hours === undefined || a.due_in_hours === null ? "" : String(a.due_in_hours)}
                  onChange={(e) => setAction(i, { due_in_hours: e.currentTarget.value === "" ? 24 : Number(e.currentTarget.value) }, "due_in_hours")}
                />
              )}
            </Field>
            <Field label={t("form.visit_kind")} error={err("visit_kind")}>
              {(aria) => (
                <select {...aria} value={String(a.visit_kind ?? "")} onChange={(e) => setAction(i, { visit_kind: e.currentTarget.value || null }, "visit_kind")}>
                  <option value="">{t("form.none")}</option>
                  {VISIT_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t(`visit.${k}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        ) : a.type === "request_stage_move" ? (
          <Field label={t("form.to_stage")} error={err("to_stage")}>
            {stageSelect(a.to_stage, (v) => setAction(i, { to_stage: v }, "to_stage"), t("form.choose"))}
          </Field>
        ) : (
          <div className="rule-grid">
            <label className="check">
              <input type="checkbox" checked={Boolean(a.manager)} onChange={(e) => setAction(i, { manager: e.currentTarget.checked }, "role")} />
              {t("form.notify_manager")}
            </label>
            {roleSelect("role", t("form.none"))}
            {text("text_ru", t("form.text_ru"), true)}
            {text("text_en", t("form.text_en"), true)}
          </div>
        )}
      </fieldset>
    );
  }

  const title = rule === null ? t("form.title_new") : t("form.title_edit", { title: rule.title });
  return (
    <Dialog open wide title={title} onClose={onClose}>
      <form ref={formRef} className="rule-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t("form.name")} error={errors.title}>
          {(aria) => (
            <input {...aria} name="title" maxLength={200} value={draft.title} onChange={(e) => (setDraft({ ...draft, title: e.currentTarget.value }), clear("title"))} />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => setDraft({ ...draft, enabled: e.currentTarget.checked })} />
          {t("form.enabled")}
        </label>
        <fieldset>
          <legend>{t("form.when")}</legend>
          <Field label={t("form.trigger")} error={errors.trigger}>
            {(aria) => (
              <select {...aria} value={draft.trigger} onChange={(e) => setDraft({ ...draft, trigger: e.currentTarget.value as Trigger })}>
                {TRIGGERS.map((tr) => (
                  <option key={tr} value={tr}>
                    {t(`trigger.${tr}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t("form.if")}</legend>
          <p className="muted small">{t("form.if_hint")}</p>
          <div className="rule-grid">{shownConditions(draft).map(condition)}</div>
        </fieldset>
        <fieldset>
          <legend>{t("form.then")}</legend>
          {draft.actions.map(action)}
          {draft.actions.length < 10 ? (
            <button type="button" onClick={() => setDraft({ ...draft, actions: [...draft.actions, newAction("notify")] })}>
              {t("form.add_action")}
            </button>
          ) : null}
        </fieldset>
        <FormActions failure={failure} busy={busy} submit={creating ? t("form.create") : t("form.save")} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

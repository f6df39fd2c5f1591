// «Новая задача»: a task made by a person (a call to make, a part to order) for one person of
// the crew or for a role, with a due time; on an order (from its card) or on none (from the
// office list). What is missing is said under its field before sending; what the server
// refuses is said under the field it names.
import { useEffect, useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { useFocusFirstInvalid } from "../customer/focus";
import { m, type TasksKey } from "./messages";
import { taskBody, taskRefusal, type Problem, type TaskField, type TaskForm } from "./office";
import { FormActions } from "../../ui/FormActions";

type Member = Schemas["CrewMember"];
// Roles a task can go to: on an order, only those who see orders (the server refuses others).
export const TASK_ROLES = ["measurer", "installer", "delivery", "production", "manager", "director"] as const;

const PROBLEM: Record<Problem, TasksKey> = {
  required: "new.required",
  pick_person: "new.pick_person",
  pick_role: "new.pick_role",
  bad_due: "new.bad_due",
};
// The server's refusals it names by code, said in the user's language.
const BY_CODE: Record<string, TasksKey> = {
  unknown_member: "new.unknown_member",
  unknown_role: "new.pick_role",
  role_sees_no_orders: "new.role_sees_no_orders",
  assignee: "new.pick_person",
};

type Props = { orderId?: string; orderLabel?: string; onClose: () => void; onCreated: (task: Schemas["TaskOut"]) => void };

export function NewTaskDialog({ orderId, orderLabel, onClose, onCreated }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const [form, setForm] = useState<TaskForm>({ title: "", assignTo: "person", person: "", role: "", due: "" });
  const [errors, setErrors] = useState<Partial<Record<TaskField, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [crew, setCrew] = useState<Member[] | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/crew", { signal: controller.signal }))
      .then((found) => setCrew([...found].sort((a, b) => (a.display_name || a.username).localeCompare(b.display_name || b.username))))
      .catch(() => setCrew([])); // no people to pick: a role still can be
    return () => controller.abort();
  }, []);

  function edit<K extends keyof TaskForm>(key: K, value: TaskForm[K]): void {
    setForm((had) => ({ ...had, [key]: value }));
    const field: TaskField = key === "title" ? "title" : key === "due" ? "due" : "assignee";
    setErrors((had) => ({ ...had, [field]: undefined }));
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setFailure(null);
    const made = taskBody(form, orderId);
    if (made.problems) {
      setErrors(Object.fromEntries(Object.entries(made.problems).map(([field, problem]) => [field, t(PROBLEM[problem])])));
      setFailure(t("new.check"));
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      onCreated(await ok(api.POST("/api/v1/tasks", { body: made.body })));
    } catch (err) {
      const refusal = taskRefusal(err);
      if (refusal) {
        const own = err instanceof ApiError ? BY_CODE[err.code] : undefined;
        const fields = own ? { assignee: t(own) } : refusal.fields;
        setErrors(fields);
        setFailure(refusal.form ?? t("new.check"));
        focusFirstInvalid();
      } else {
        setFailure(errorText(err, common.in(lang)));
      }
    } finally {
      setBusy(false);
    }
  }

  const roleLabel = (role: string): string => tc(`role.${role}` as CommonKey);
  return (
    <Dialog open title={orderLabel ? t("new.title_on", { order: orderLabel }) : t("new.title")} onClose={onClose}>
      <form ref={formRef} className="task-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t("new.what")} error={errors.title}>
          {(aria) => (
            <input
              {...aria}
              name="title"
              autoComplete="off"
              maxLength={300}
              value={form.title}
              placeholder={t("new.what_placeholder")}
              onChange={(e) => edit("title", e.currentTarget.value)}
            />
          )}
        </Field>
        <fieldset className="assign-to">
          <legend>{t("new.assign_to")}</legend>
          <div className="row wrap">
            <label className="check">
              <input type="radio" name="assign_to" checked={form.assignTo === "person"} onChange={() => edit("assignTo", "person")} />
              {t("new.to_person")}
            </label>
            <label className="check">
              <input type="radio" name="assign_to" checked={form.assignTo === "role"} onChange={() => edit("assignTo", "role")} />
              {t("new.to_role")}
            </label>
          </div>
          {form.assignTo === "person" ? (
            <Field label={t("new.person")} error={errors.assignee}>
              {(aria) => (
                <select {...aria} name="person" value={form.person} onChange={(e) => edit("person", e.currentTarget.value)}>
                  <option value="">{crew ? t("new.choose") : tc("common.loading")}</option>
                  {(crew ?? []).map((member) => (
                    <option key={member.id} value={member.id}>
                      {member.display_name || member.username} · {roleLabel(member.role)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : (
            <Field label={t("new.role")} hint={t("new.role_hint")} error={errors.assignee}>
              {(aria) => (
                <select {...aria} name="role" value={form.role} onChange={(e) => edit("role", e.currentTarget.value)}>
                  <option value="">{t("new.choose")}</option>
                  {TASK_ROLES.map((role) => (
                    <option key={role} value={role}>
                      {roleLabel(role)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </fieldset>
        <Field label={t("new.due")} hint={t("new.due_hint")} error={errors.due}>
          {(aria) => (
            <input {...aria} name="due" type="datetime-local" value={form.due} onChange={(e) => edit("due", e.currentTarget.value)} />
          )}
        </Field>
        <FormActions failure={failure} busy={busy} submit={t("new.create")} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

// A new user (username, name, role, temporary password), or a change to one: name, role,
// whether they may sign in, a new password. What the server refuses is said under its field;
// an admin's own role and access are left to another admin (the server refuses them too).
import { useId, useState, type FormEvent, type ReactElement } from "react";
import { api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { ROLES } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { useFocusFirstInvalid } from "../customer/focus";
import { refusalOf } from "./errors";
import { m } from "./messages";
import { changesOf, draftOf, emptyDraft, missing, newUser, type Draft, type FieldErrors, type Role, type User } from "./model";
import { FormActions } from "../../ui/FormActions";

type Props = {
  /** null: a new user. */
  user: User | null;
  /** The signed-in admin themselves: role and access are not theirs to change. */
  self: boolean;
  onClose: () => void;
  onSaved: (user: User, created: boolean) => void;
};

export function UserDialog({ user, self, onClose, onSaved }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const creating = user === null;
  const [draft, setDraft] = useState<Draft>(() => (user ? draftOf(user) : emptyDraft()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const activeId = useId();

  function edit<K extends keyof Draft>(key: K, value: Draft[K]): void {
    setDraft((had) => ({ ...had, [key]: value }));
    setErrors((had) => ({ ...had, [key]: undefined }));
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setFailure(null);
    const empty = missing(draft, creating);
    if (empty.length) {
      setErrors(Object.fromEntries(empty.map((field) => [field, t("error.required")])));
      setFailure(t("form.check"));
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      if (user === null) {
        const made = await ok(api.POST("/api/v1/users", { body: newUser({ ...draft, role: draft.role as Role }) }));
        onSaved(made, true);
      } else {
        const changes = changesOf(user, draft);
        const saved = Object.keys(changes).length
          ? await ok(api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: user.id } }, body: changes }))
          : user;
        onSaved(saved, false);
      }
    } catch (err) {
      const refusal = refusalOf(err, t);
      setErrors(refusal.fields);
      const named = Object.keys(refusal.fields).length > 0;
      setFailure(refusal.form ?? (named ? t("form.check") : errorText(err, tc)));
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  }

  const title = user === null ? t("form.title_new") : t("form.title_edit", { name: user.username });
  return (
    <Dialog open title={title} onClose={onClose}>
      <form ref={formRef} className="user-form" onSubmit={(e) => void submit(e)} noValidate>
        {creating ? (
          <Field label={t("form.username")} hint={t("form.username_hint")} error={errors.username}>
            {(aria) => (
              <input
                {...aria}
                name="username"
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                maxLength={64}
                value={draft.username}
                onChange={(e) => edit("username", e.currentTarget.value)}
              />
            )}
          </Field>
        ) : null}
        <Field label={t("form.display_name")} error={errors.display_name}>
          {(aria) => (
            <input
              {...aria}
              name="display_name"
              autoComplete="off"
              maxLength={200}
              value={draft.display_name}
              onChange={(e) => edit("display_name", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t("form.role")} hint={self ? t("form.self_hint") : undefined} error={errors.role}>
          {(aria) => (
            <select
              {...aria}
              name="role"
              disabled={self}
              value={draft.role}
              onChange={(e) => edit("role", e.currentTarget.value as Role)}
            >
              {draft.role ? null : <option value="">{t("form.role_choose")}</option>}
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {tc(`role.${role}` as CommonKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={creating ? t("form.password") : t("form.password_new")}
          hint={creating ? t("form.password_hint") : t("form.password_reset_hint")}
          error={errors.password}
        >
          {(aria) => (
            <input
              {...aria}
              name="password"
              type="password"
              autoComplete="new-password"
              maxLength={200}
              value={draft.password}
              onChange={(e) => edit("password", e.currentTarget.value)}
            />
          )}
        </Field>
        {creating ? null : (
          <div className={`field${errors.active ? " invalid" : ""}`}>
            <label className="check">
              <input
                type="checkbox"
                name="active"
                disabled={self}
                checked={draft.active}
                aria-describedby={`${activeId}-hint${errors.active ? ` ${activeId}-error` : ""}`}
                aria-invalid={Boolean(errors.active)}
                onChange={(e) => edit("active", e.currentTarget.checked)}
              />
              {t("form.active")}
            </label>
            <p className="hint small muted" id={`${activeId}-hint`}>
              {t("form.active_hint")}
            </p>
            {errors.active ? (
              <p className="field-error error small" id={`${activeId}-error`} role="alert">
                {errors.active}
              </p>
            ) : null}
          </div>
        )}
        <FormActions failure={failure} busy={busy} submit={creating ? t("form.create") : t("form.save")} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

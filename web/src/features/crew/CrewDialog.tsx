// One crew member's week in a form: time zone, hours per weekday (a day is on or off), dates
// off and absences. The form checks what it can (an end after its start); what the server
// still refuses (an unknown time zone) is said under the field it names.
import { useId, useState, type FormEvent, type ReactElement } from "react";
import { api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { useFocusFirstInvalid } from "../customer/focus";
import { refusalOf } from "./errors";
import { m } from "./messages";
import { draftOf, problemsOf, updateOf, WEEKDAYS, type Draft, type Member, type Weekday } from "./model";
import { FormActions } from "../../ui/FormActions";

// Offered while typing; any IANA zone the server knows is taken.
const ZONES = [
  "Europe/Kaliningrad",
  "Europe/Moscow",
  "Europe/Samara",
  "Asia/Yekaterinburg",
  "Asia/Omsk",
  "Asia/Novosibirsk",
  "Asia/Krasnoyarsk",
  "Asia/Irkutsk",
  "Asia/Yakutsk",
  "Asia/Vladivostok",
];

type Props = { member: Member; onClose: () => void; onSaved: (member: Member) => void };

export function CrewDialog({ member, onClose, onSaved }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const [draft, setDraft] = useState<Draft>(() => draftOf(member));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [newDayOff, setNewDayOff] = useState("");
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const id = useId();

  function change(next: Draft, ...keys: string[]): void {
    setDraft(next);
    if (keys.length) setErrors((had) => Object.fromEntries(Object.entries(had).filter(([k]) => !keys.includes(k))));
  }
  function setDay(day: Weekday, patch: Partial<Draft["days"][Weekday]>): void {
    change({ ...draft, days: { ...draft.days, [day]: { ...draft.days[day], ...patch } } }, `working_hours.${day}`);
  }
  function setAbsence(i: number, patch: Partial<Draft["absences"][number]>): void {
    change({ ...draft, absences: draft.absences.map((a, n) => (n === i ? { ...a, ...patch } : a)) }, `absences.${i}`, "absences");
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
      const saved = await ok(api.PUT("/api/v1/crew/{member_id}", { params: { path: { member_id: member.id } }, body: updateOf(draft) }));
      onSaved(saved);
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

  const error = (key: string): string | undefined => errors[key];
  const described = (key: string): { "aria-invalid": boolean; "aria-describedby"?: string } =>
    error(key) ? { "aria-invalid": true, "aria-describedby": `${id}-${key}` } : { "aria-invalid": false };
  const below = (key: string): ReactElement | null =>
    error(key) ? (
      <p className="field-error error small" id={`${id}-${key}`} role="alert">
        {error(key)}
      </p>
    ) : null;

  return (
    <Dialog open wide title={t("form.title", { name: member.display_name })} onClose={onClose}>
      <form ref={formRef} className="crew-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t("form.timezone")} hint={t("form.timezone_hint")} error={errors.timezone}>
          {(aria) => (
            <input
              {...aria}
              name="timezone"
              list={`${id}-zones`}
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
              value={draft.timezone}
              onChange={(e) => change({ ...draft, timezone: e.currentTarget.value }, "timezone")}
            />
          )}
        </Field>
        <datalist id={`${id}-zones`}>
          {ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>

        <fieldset className="crew-week">
          <legend>{t("form.week")}</legend>
          {WEEKDAYS.map((day) => {
            const name = t(`day.${day}`);
            const value = draft.days[day];
            const key = `working_hours.${day}`;
            return (
              <div key={day} className={`crew-day${error(key) ? " invalid" : ""}${value.on ? "" : " off"}`} data-day={day}>
                <label className="check">
                  <input type="checkbox" checked={value.on} onChange={(e) => setDay(day, { on: e.currentTarget.checked })} />
                  {name}
                </label>
                <input
                  type="time"
                  aria-label={t("form.start", { day: name })}
                  disabled={!value.on}
                  value={value.start}
                  onChange={(e) => setDay(day, { start: e.currentTarget.value })}
                  {...described(key)}
                />
                <span aria-hidden="true">–</span>
                <input
                  type="time"
                  aria-label={t("form.end", { day: name })}
                  disabled={!value.on}
                  value={value.end}
                  onChange={(e) => setDay(day, { end: e.currentTarget.value })}
                  {...described(key)}
                />
                {below(key)}
              </div>
            );
          })}
        </fieldset>

        <fieldset className="crew-days-off">
          <legend>{t("form.days_off")}</legend>
          {draft.daysOff.length ? (
            <ul className="crew-chips">
              {draft.daysOff.map((date) => (
                <li key={date}>
                  <span>{date}</span>
                  <button
                    type="button"
                    className="link"
                    aria-label={t("form.remove_day_off", { date })}
                    onClick={() => change({ ...draft, daysOff: draft.daysOff.filter((d) => d !== date) }, "days_off")}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small">{t("form.none")}</p>
          )}
          <div className="row wrap">
            <input
              type="date"
              aria-label={t("form.day_off_new")}
              value={newDayOff}
              onChange={(e) => setNewDayOff(e.currentTarget.value)}
              {...described("days_off")}
            />
            <button
              type="button"
              disabled={!newDayOff}
              onClick={() => {
                change({ ...draft, daysOff: [...new Set([...draft.daysOff, newDayOff])].sort() }, "days_off");
                setNewDayOff("");
              }}
            >
              {t("form.day_off_add")}
            </button>
          </div>
          {below("days_off")}
        </fieldset>

        <fieldset className="crew-absences">
          <legend>{t("form.absences")}</legend>
          {draft.absences.length ? null : <p className="muted small">{t("form.none")}</p>}
          {draft.absences.map((a, i) => {
            const n = i + 1;
            const key = `absences.${i}`;
            return (
              <div key={i} className="crew-absence" role="group" aria-label={t("form.absence_n", { n })}>
                <label>
                  {t("form.absence_starts")}
                  <input type="datetime-local" value={a.starts} onChange={(e) => setAbsence(i, { starts: e.currentTarget.value })} {...described(key)} />
                </label>
                <label>
                  {t("form.absence_ends")}
                  <input type="datetime-local" value={a.ends} onChange={(e) => setAbsence(i, { ends: e.currentTarget.value })} {...described(key)} />
                </label>
                <label>
                  {t("form.absence_reason")}
                  <input maxLength={200} value={a.reason} onChange={(e) => setAbsence(i, { reason: e.currentTarget.value })} />
                </label>
                <button
                  type="button"
                  aria-label={t("form.remove_absence", { n })}
                  onClick={() => change({ ...draft, absences: draft.absences.filter((_, k) => k !== i) }, key, "absences")}
                >
                  {t("form.remove")}
                </button>
                {below(key)}
              </div>
            );
          })}
          <button type="button" onClick={() => change({ ...draft, absences: [...draft.absences, { starts: "", ends: "", reason: "" }] })}>
            {t("form.absence_add")}
          </button>
          {below("absences")}
        </fieldset>

        <FormActions failure={failure} busy={busy} submit={t("form.save")} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

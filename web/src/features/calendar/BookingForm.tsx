// The slot being booked as plain fields: a click on the calendar fills them, and a keyboard
// or screen-reader user (or a test) can fill them directly. One "Записать" books.
import { useId, type ReactElement, type Ref } from "react";
import { Field } from "../../ui/Field";
import { m } from "./messages";
import type { Draft, Entry } from "./model";

type Props = {
  title: string;
  submitLabel: string;
  entries: Entry[];
  draft: Draft;
  onDraft: (draft: Draft) => void;
  onSubmit: () => void;
  onReset: () => void;
  error: string | null;
  busy: boolean;
  submitRef: Ref<HTMLButtonElement>;
};

export function BookingForm(props: Props): ReactElement {
  const t = m.use();
  const headingId = useId();
  const { draft, onDraft } = props;
  const set = (patch: Partial<Draft>): void => onDraft({ ...draft, ...patch });
  return (
    <form
      className="oms-book"
      aria-labelledby={headingId}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <h3 id={headingId}>{props.title}</h3>
      <p className="small muted oms-book-hint">{t("book.pick_hint")}</p>
      <div className="oms-book-fields">
        <Field label={t("book.person")}>
          {(aria) => (
            <select {...aria} value={draft.memberId} onChange={(e) => set({ memberId: e.target.value })}>
              <option value="">—</option>
              {props.entries.map((e) => (
                <option key={e.member.id} value={e.member.id}>
                  {e.member.display_name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("book.date")}>
          {(aria) => <input {...aria} type="date" value={draft.date} onChange={(e) => set({ date: e.target.value })} />}
        </Field>
        <Field label={t("book.start")}>
          {(aria) => (
            <input {...aria} type="time" step={900} value={draft.start} onChange={(e) => set({ start: e.target.value })} />
          )}
        </Field>
        <Field label={t("book.end")}>
          {(aria) => (
            <input {...aria} type="time" step={900} value={draft.end} onChange={(e) => set({ end: e.target.value })} />
          )}
        </Field>
      </div>
      {props.error ? (
        <p className="error oms-book-error" role="alert">
          {props.error}
        </p>
      ) : null}
      <div className="row wrap">
        <button ref={props.submitRef} type="submit" className="primary" disabled={props.busy} aria-busy={props.busy}>
          {props.submitLabel}
        </button>
        <button type="button" onClick={props.onReset} disabled={props.busy}>
          {t("book.reset")}
        </button>
      </div>
    </form>
  );
}

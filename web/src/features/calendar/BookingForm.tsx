// The slot being booked as plain fields: a click on the calendar fills them, and a keyboard
// or screen-reader user (or a test) can fill them directly. One "Записать" books.
import { useId, type ReactElement, type Ref } from "react";
import { m } from "./messages";
import type { Draft, Entry } from "./model";
import { SlotFields } from "./SlotFields";

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
      <SlotFields draft={props.draft} onDraft={props.onDraft} entries={props.entries} nobody />
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

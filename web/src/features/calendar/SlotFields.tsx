// A slot as plain fields — who, which day, from, to — for booking a visit and for moving one
// without dragging (a keyboard or screen-reader user, or a test, types it). The calendar fills
// the same draft when the user picks on it.
import type { ReactElement } from "react";
import { Field } from "../../ui/Field";
import { m } from "./messages";
import type { Draft, Entry } from "./model";

type Props = {
  draft: Draft;
  onDraft: (draft: Draft) => void;
  /** The people to choose from (the calendar's rows). */
  entries: Entry[];
  /** Offer "—" (nobody yet): a new booking starts with no one chosen, a visit always has someone. */
  nobody?: boolean;
};

export function SlotFields({ draft, onDraft, entries, nobody = false }: Props): ReactElement {
  const t = m.use();
  const set = (patch: Partial<Draft>): void => onDraft({ ...draft, ...patch });
  return (
    <div className="oms-book-fields">
      <Field label={t("book.person")}>
        {(aria) => (
          <select {...aria} value={draft.memberId} onChange={(e) => set({ memberId: e.target.value })}>
            {nobody ? <option value="">—</option> : null}
            {entries.map((e) => (
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
        {(aria) => <input {...aria} type="time" step={900} value={draft.end} onChange={(e) => set({ end: e.target.value })} />}
      </Field>
    </div>
  );
}

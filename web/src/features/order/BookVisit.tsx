// "Book a visit" on the order card (roles with visits.book): pick the visit's kind, then the
// calendar's booking panel (every crew member of that kind's role side by side) in a dialog.
import { useId, useState, type ReactElement } from "react";
import { Dialog } from "../../ui/Dialog";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { BookingPanel, type VisitKind } from "../calendar/BookingPanel";
import { kindText } from "./sections";
import { m } from "./messages";

const KINDS: VisitKind[] = ["measurement", "delivery", "installation", "rework"];

/** The kind the stage most likely needs next. */
export function kindForStage(stage: string): VisitKind {
  if (stage === "shipment_prep" || stage === "delivery") return "delivery";
  if (stage === "installation" || stage === "production") return "installation";
  if (stage === "rework") return "rework";
  return "measurement";
}

export function BookVisit({ orderId, stage, onBooked }: { orderId: string; stage: string; onBooked: () => void }): ReactElement {
  const t = m.use();
  const tc = common.use();
  const toast = useApp((s) => s.toast);
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<VisitKind>(() => kindForStage(stage));
  const [note, setNote] = useState("");
  const id = useId();
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setKind(kindForStage(stage));
          setNote("");
          setOpen(true);
        }}
      >
        {t("visit.book")}
      </button>
      <Dialog open={open} title={t("visit.book")} onClose={() => setOpen(false)} wide>
        <div className="field visit-kind">
          <label htmlFor={`${id}-kind`}>{t("visit.kind")}</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.currentTarget.value as VisitKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {kindText(k, tc)}
              </option>
            ))}
          </select>
        </div>
        <div className="field visit-note">
          <label htmlFor={`${id}-note`}>{t("visit.note")}</label>
          <textarea
            id={`${id}-note`}
            rows={2}
            maxLength={2000}
            placeholder={t("visit.note_placeholder")}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
          />
        </div>
        {open ? (
          <BookingPanel
            key={kind}
            orderId={orderId}
            kind={kind}
            note={note}
            onBooked={() => {
              setOpen(false);
              toast(t("visit.booked_toast"));
              onBooked();
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

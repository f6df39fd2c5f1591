// A visit clicked on the calendar: its order, time and crew member; for a booker also the
// keyboard way to move it (date, times, person → "Перенести", the same PATCH a drag sends)
// and cancelling it with a reason.
import { useId, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { calendarError, changeVisit, isConflict, moveChange } from "./api";
import { m } from "./messages";
import { draftOf, findVisit, slotOf, slotText, type Draft, type Entry } from "./model";
import { SlotFields } from "./SlotFields";

type Props = {
  visitId: string;
  entries: Entry[];
  numbers: Map<string, number | null>;
  editable: boolean;
  onClose: () => void;
  /** Done: say `message`, close, re-read. */
  onChanged: (message: string) => void;
  /** Refused because the schedule moved on: re-read, stay open. */
  onStale: () => void;
};

export function VisitPanel(props: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const found = findVisit(props.entries, props.visitId);
  const [draft, setDraft] = useState<Draft | null>(() =>
    found
      ? draftOf({ memberId: found.entry.member.id, start: new Date(found.busy.starts_at), end: new Date(found.busy.ends_at) })
      : null,
  );
  const [reason, setReason] = useState("");
  const [moveError, setMoveError] = useState<string | null>(null);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const moveId = useId();
  const cancelId = useId();

  if (!found || !draft) {
    return (
      <Dialog open title={t("visit.order")} onClose={props.onClose}>
        <p role="alert">{t("visit.gone")}</p>
      </Dialog>
    );
  }
  const { entry, busy: visit } = found;
  const kind = tc(`kind.${visit.kind}` as CommonKey);
  const orderId = visit.order_id ?? "";
  const number = props.numbers.get(orderId);
  const orderLabel = number ? t("cal.order", { number }) : "";
  const version = visit.visit_version ?? null;

  const run = async (
    change: Parameters<typeof changeVisit>[1],
    done: string,
    fail: (text: string) => void,
  ): Promise<void> => {
    setBusy(true);
    try {
      await changeVisit(props.visitId, change);
      props.onChanged(done);
    } catch (err) {
      fail(calendarError(err, t, tc));
      if (isConflict(err)) props.onStale();
    } finally {
      setBusy(false);
    }
  };

  const move = (): void => {
    const slot = slotOf(draft);
    if (typeof slot === "string") {
      setMoveError(t(slot === "incomplete" ? "book.incomplete" : "book.end_before_start"));
      return;
    }
    setMoveError(null);
    void run(moveChange(slot, entry.member.id, version), t("book.moved", { when: slotText(slot.start, slot.end, lang) }), setMoveError);
  };

  const cancel = (): void => {
    if (!reason.trim()) {
      setCancelError(tc("error.reason_required"));
      return;
    }
    setCancelError(null);
    void run(
      { cancelled: true, reason: reason.trim(), ...(version ? { expected_version: version } : {}) },
      t("visit.cancelled"),
      setCancelError,
    );
  };

  return (
    <Dialog open title={orderLabel ? `${kind} · ${orderLabel}` : kind} onClose={props.onClose}>
      <dl className="facts">
        <dt>{t("visit.order")}</dt>
        <dd>
          {orderId ? (
            <Link href={`/order/${orderId}`} onClick={props.onClose}>
              {t("visit.open_order")}
              {orderLabel ? ` ${orderLabel}` : ""}
            </Link>
          ) : (
            "—"
          )}
        </dd>
        <dt>{t("visit.when")}</dt>
        <dd>{slotText(new Date(visit.starts_at), new Date(visit.ends_at), lang)}</dd>
        <dt>{t("visit.who")}</dt>
        <dd>{entry.member.display_name}</dd>
      </dl>
      {props.editable ? (
        <>
          <form
            className="oms-visit-move"
            aria-labelledby={moveId}
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              move();
            }}
          >
            <h3 id={moveId}>{t("visit.move")}</h3>
            <SlotFields draft={draft} onDraft={setDraft} entries={props.entries} />
            {moveError ? (
              <p className="error" role="alert">
                {moveError}
              </p>
            ) : null}
            <button type="submit" className="primary" disabled={busy}>
              {t("visit.move_submit")}
            </button>
          </form>
          <form
            className="oms-visit-cancel"
            aria-labelledby={cancelId}
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              cancel();
            }}
          >
            <h3 id={cancelId}>{t("visit.cancel_title")}</h3>
            <Field label={t("visit.cancel_reason")} error={cancelError}>
              {(aria) => (
                <textarea {...aria} rows={2} maxLength={500} required value={reason} onChange={(e) => setReason(e.target.value)} />
              )}
            </Field>
            <button type="submit" className="danger" disabled={busy}>
              {t("visit.cancel")}
            </button>
          </form>
        </>
      ) : null}
    </Dialog>
  );
}

// The smaller move dialogs: a reason for moving back or cancelling, the moves possible when
// the dropped-on stage is not one, and booking the visit a stage begins with.
import { useEffect, useMemo, useState, type FormEvent, type ReactElement } from "react";
import { isAbort } from "../../api/client";
import { errorText } from "../../app/errors";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { BookingPanel } from "../calendar/BookingPanel";
import { getOrder } from "../order/api";
import type { VisitKind } from "./gates";
import { m } from "./messages";
import type { MoveResult } from "./moves";

type ReasonProps = {
  number: number;
  to: string;
  toTitle: string;
  move: (reason: string) => Promise<MoveResult>;
  onClose: () => void;
};

export function ReasonDialog({ number, to, toTitle, move, onClose }: ReasonProps): ReactElement {
  const t = m.use();
  const tc = common.use();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cancelling = to === "cancelled";

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!reason.trim()) {
      setError(tc("error.reason_required"));
      return;
    }
    setBusy(true);
    setError(null);
    const result = await move(reason.trim());
    setBusy(false);
    if (!result.ok) setError(errorText(result.error, tc));
  }

  return (
    <Dialog
      open
      title={cancelling ? t("reason.title_cancel", { n: number }) : t("reason.title_back", { n: number, stage: toTitle })}
      onClose={onClose}
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="reason-form">
        <Field label={t("reason.label")} error={error} hint={cancelling ? t("reason.hint_cancel") : t("reason.hint_back")}>
          {(aria) => (
            <textarea
              {...aria}
              name="reason"
              rows={3}
              maxLength={2000}
              required
              autoFocus
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
            />
          )}
        </Field>
        <div className="dialog-actions">
          <button type="submit" className={cancelling ? "danger" : "primary"} disabled={busy}>
            {cancelling ? t("reason.submit_cancel") : t("reason.submit_back")}
          </button>
          <button type="button" onClick={onClose}>
            {tc("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type NotAllowedProps = {
  orderId: string;
  number: number;
  toTitle: string;
  fromTitle: string;
  titleOf: (stage: string) => string;
  moveTo: (stage: string) => void;
  onClose: () => void;
};

/** The dropped-on stage is not a move from here: the ones that are, one click each. */
export function NotAllowedDialog({ orderId, number, toTitle, fromTitle, titleOf, moveTo, onClose }: NotAllowedProps): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const tc = useMemo(() => common.in(lang), [lang]);
  const [next, setNext] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getOrder(orderId, lang, controller.signal)
      .then((order) => setNext(order.next_stages ?? []))
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorText(err, tc));
      });
    return () => controller.abort();
  }, [orderId, lang, tc]);

  return (
    <Dialog open title={t("not_allowed.title", { stage: toTitle })} onClose={onClose}>
      <p>{tc("error.transition_not_allowed")}</p>
      {next === null ? (
        error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : (
          <p className="muted">{tc("common.loading")}</p>
        )
      ) : next.length ? (
        <>
          <p>{t("not_allowed.text", { from: fromTitle, n: number })}</p>
          <div className="dialog-actions">
            {next.map((stage) => (
              <button key={stage} type="button" className="primary" onClick={() => moveTo(stage)}>
                {t("not_allowed.move_to", { stage: titleOf(stage) })}
              </button>
            ))}
          </div>
        </>
      ) : (
        <p>{t("not_allowed.none")}</p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {tc("common.close")}
        </button>
      </div>
    </Dialog>
  );
}

type BookProps = {
  orderId: string;
  number: number;
  kind: VisitKind;
  stageTitle: string;
  onBooked: () => void;
  onClose: () => void;
};

/** Right after a move into a stage that begins with a visit: book it here, now. */
export function BookDialog({ orderId, number, kind, stageTitle, onBooked, onClose }: BookProps): ReactElement {
  const t = m.use();
  const tc = common.use();
  const toast = useApp((s) => s.toast);
  return (
    <Dialog open wide title={t("book.title", { action: t(`book.${kind}`), n: number })} onClose={onClose}>
      <div className="book" data-book-order={orderId} data-kind={kind}>
        <p className="muted">{t("book.intro", { n: number, stage: stageTitle })}</p>
        <BookingPanel
          orderId={orderId}
          kind={kind}
          onBooked={() => {
            toast(t("book.booked", { kind: tc(`kind.${kind}` as CommonKey) }));
            onBooked();
          }}
        />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t("book.later")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

// Check in and out of a visit, for its assignee on the order card (issue 15). The position
// comes from the phone (navigator.geolocation); the request goes through `send`, which the
// lead wires to the offline queue — by default straight to the API. A tap makes the request
// once (its Idempotency-Key and time); trying again after an error sends the same one.
import { useState, type ReactElement } from "react";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { dateTime, timeOfDay } from "../order/format";
import { m } from "./messages";
import { currentFix, NoPosition, type Fix } from "./position";
import { onSiteRequest, sendNow, type Act, type OnSiteRequest, type Send } from "./send";
import "./onsite.css";

export type VisitOnSite = {
  visit_id: string;
  status?: string;
  checked_in_at?: string | null;
  checked_out_at?: string | null;
};

type Props = {
  visit: VisitOnSite;
  send?: Send;
  locate?: () => Promise<Fix>;
  onDone?: () => void;
};

export function CheckInOut({ visit, send = sendNow, locate = currentFix, onDone }: Props): ReactElement | null {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const [step, setStep] = useState<"idle" | "locating" | "sending">("idle");
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  // The tap's request, kept until it is answered: a retry sends the very same one.
  const [pending, setPending] = useState<OnSiteRequest | null>(null);
  const [done, setDone] = useState<{ in?: string | null; out?: string | null }>({});

  const checkedIn = done.in ?? visit.checked_in_at ?? null;
  const checkedOut = done.out ?? visit.checked_out_at ?? null;
  if (visit.status === "cancelled") return null;
  const act: Act | null = !checkedIn ? "check-in" : !checkedOut ? "check-out" : null;

  async function go(): Promise<void> {
    if (!act) return;
    setError(null);
    setNote(null);
    let request = pending && pending.act === act ? pending : null;
    try {
      if (!request) {
        setStep("locating");
        const fix = await locate();
        request = onSiteRequest(visit.visit_id, act, fix);
        setPending(request);
      }
      setStep("sending");
      const answer = await send(request);
      setPending(null);
      if (answer === null) {
        setNote(t("onsite.queued"));
        setDone((had) => (act === "check-in" ? { ...had, in: request?.body.at } : { ...had, out: request?.body.at }));
      } else {
        setDone({ in: answer.check_in?.at ?? null, out: answer.check_out?.at ?? null });
      }
      onDone?.();
    } catch (err) {
      if (err instanceof NoPosition) setError(t(err.denied ? "onsite.geolocation_denied" : "onsite.no_geolocation"));
      else setError(errorText(err, tc));
    } finally {
      setStep("idle");
    }
  }

  const label = step === "locating" ? t("onsite.locating") : step === "sending" ? t("onsite.sending") : act === "check-in" ? t("onsite.check_in") : t("onsite.check_out");
  return (
    <div className="onsite" data-testid="check-in-out">
      {checkedIn && checkedOut ? (
        <span className="onsite-times">{t("onsite.in_out", { from: dateTime(checkedIn, lang), to: timeOfDay(checkedOut, lang) })}</span>
      ) : checkedIn ? (
        <span className="onsite-times">{t("onsite.checked_in", { at: dateTime(checkedIn, lang) })}</span>
      ) : null}
      {act ? (
        <button type="button" className={act === "check-in" ? "primary onsite-button" : "onsite-button"} disabled={step !== "idle"} onClick={() => void go()}>
          {label}
        </button>
      ) : null}
      {note ? <p className="muted small" role="status">{note}</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The visit's checked-in/out times, for everyone who sees the visit. */
export function OnSiteTimes({ visit }: { visit: VisitOnSite }): ReactElement | null {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  if (!visit.checked_in_at) return null;
  const text = visit.checked_out_at
    ? t("onsite.in_out", { from: dateTime(visit.checked_in_at, lang), to: timeOfDay(visit.checked_out_at, lang) })
    : t("onsite.checked_in", { at: dateTime(visit.checked_in_at, lang) });
  return <span className="onsite-times muted"> · {text}</span>;
}

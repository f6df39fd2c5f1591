// The customer's answer about the confirmation SMS the day before each visit (issue 20): what
// was recorded, by whom and when, and for those who edit the customer a box to record it
// (PUT /orders/{id}/sms-consent). Never asked or declined: no SMS goes to the customer.
import { useId, useState, type ReactElement } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { dateTime } from "../order/format";
import { m } from "./messages";

/** Records the answer; the gateway's card comes back. Tests give their own. */
export type RecordConsent = (orderId: string, consent: boolean) => Promise<unknown>;

const recordOnServer: RecordConsent = (orderId, consent) =>
  ok(
    api.PUT("/api/v1/orders/{order_id}/sms-consent", {
      params: { path: { order_id: orderId } },
      body: { consent },
    }),
  );

type Props = { card: Schemas["OrderCard"]; onSaved: () => void; send?: RecordConsent };

export function SmsConsent({ card, onSaved, send = recordOnServer }: Props): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const edits = useMay("customer.edit");
  const boxId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const held = card.sms_consent ?? null;
  const state = held === null ? t("sms.none") : held.consent ? t("sms.given") : t("sms.declined");
  const who = held?.by?.display_name ?? null;
  const when = held ? dateTime(held.at, lang) : "";

  async function record(consent: boolean): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await send(card.id, consent);
      toast(t(consent ? "sms.saved_on" : "sms.saved_off"));
      onSaved();
    } catch (err) {
      setError(errorText(err, common.in(lang)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sms-consent">
      <dl className="facts">
        <dt>{t("sms.label")}</dt>
        <dd data-testid="sms-consent">
          {state}
          {held ? <span className="muted"> ({who ? t("sms.by", { name: who, when }) : when})</span> : null}
        </dd>
      </dl>
      {edits ? (
        <label htmlFor={boxId} className="check">
          <input
            id={boxId}
            type="checkbox"
            checked={held?.consent ?? false}
            disabled={busy}
            onChange={(e) => void record(e.currentTarget.checked)}
          />
          {t("sms.agree")}
        </label>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

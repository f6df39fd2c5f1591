// The order card's dates: the day promised to the customer, the expected closing day (the
// board card's forecast) with the late flag, and for those who may (`orders.promise`) a
// control that sets, changes or removes the promise (PUT /orders/{id}/promised-date).
import { useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Field } from "../../ui/Field";
import { fullDay } from "./day";
import { LateFlag } from "./LateFlag";
import { m } from "./messages";
import "./forecast.css";

/** A refused promise in words: too early (the server's code), not a day, or the usual. */
export function promiseError(err: unknown, t: ReturnType<typeof m.use>, lang: "ru" | "en"): string {
  if (err instanceof ApiError && err.code === "promised_date_too_early") return t("dates.too_early");
  if (err instanceof ApiError && err.fieldMessages().promised_date) return t("dates.invalid");
  return errorText(err, common.in(lang));
}

type Props = {
  card: Schemas["OrderCard"];
  board: Schemas["BoardCard"] | null;
  onSaved: () => void;
};

export function DatesSection({ card, board, onSaved }: Props): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const promises = useMay("orders.promise");
  const promised = card.promised_date ?? null;
  const forecast = board?.forecast_close ?? null;
  // The same rule as the server's (`late`: the forecast day is after the promised one), on the
  // card's own promise: a promise just changed is judged at once, before the board catches up.
  const late = Boolean(promised && forecast && forecast > promised);
  return (
    <section className="panel dates-panel" aria-labelledby="order-dates">
      <h2 id="order-dates">{t("dates.title")}</h2>
      <dl className="facts">
        <dt>{t("dates.promised")}</dt>
        <dd data-testid="promised-date">{promised ? fullDay(promised, lang) : t("dates.none")}</dd>
        <dt>{t("dates.forecast")}</dt>
        <dd data-testid="forecast-close">{forecast ? fullDay(forecast, lang) : t("dates.no_forecast")}</dd>
      </dl>
      {late ? (
        <p className="late-line">
          <LateFlag promised={promised} forecast={forecast} lang={lang} />
        </p>
      ) : null}
      {promises ? (
        <details className="edit">
          <summary>{t("dates.edit")}</summary>
          <PromiseForm orderId={card.id} promised={promised} onSaved={onSaved} />
        </details>
      ) : null}
    </section>
  );
}

function PromiseForm({ orderId, promised, onSaved }: { orderId: string; promised: string | null; onSaved: () => void }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const [day, setDay] = useState(promised ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function put(value: string | null): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const order = await ok(
        api.PUT("/api/v1/orders/{order_id}/promised-date", {
          params: { path: { order_id: orderId } },
          body: { promised_date: value },
        }),
      );
      setDay(order.promised_date ?? "");
      toast(t(value ? "dates.saved" : "dates.cleared"));
      onSaved();
    } catch (err) {
      setError(promiseError(err, t, lang));
    } finally {
      setBusy(false);
    }
  }

  function save(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (!day) {
      setError(t("dates.invalid"));
      return;
    }
    void put(day);
  }

  return (
    <form className="promise-form" onSubmit={save} noValidate aria-label={t("dates.edit")}>
      <Field label={t("dates.day")} error={error} hint={t("dates.day_hint")}>
        {(aria) => (
          <input
            {...aria}
            type="date"
            name="promised_date"
            value={day}
            onChange={(e) => {
              setDay(e.currentTarget.value);
              setError(null);
            }}
          />
        )}
      </Field>
      <div className="row wrap">
        <button type="submit" className="primary" disabled={busy}>
          {t("dates.save")}
        </button>
        {promised ? (
          <button type="button" disabled={busy} onClick={() => void put(null)}>
            {t("dates.clear")}
          </button>
        ) : null}
      </div>
    </form>
  );
}

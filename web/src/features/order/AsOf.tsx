// «Как было на…»: the order as it was at a chosen moment (GET /orders/{id}/as-of), rebuilt by
// the server from the order's events up to then. Shown apart from the live card and marked as
// a past view, so nobody takes an old stage or amount for today's. The deal appears only when
// the server sends it (the same audience rule as the card).
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { audienceOf } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { localInput, momentOf } from "./asOf";
import { dateTime, locale } from "./format";
import { m } from "./messages";
import { DealFacts } from "./sections";

type Past = Schemas["PastOrderCard"];

/** A moment picked elsewhere (a history line's «как было тогда»): `n` tells one ask from
 * the next, so asking for the same moment twice shows it again. */
export type AskedMoment = { at: string; n: number };

export function AsOf({ orderId, asked }: { orderId: string; asked?: AskedMoment | null }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const commercial = audienceOf(useApp((s) => s.me?.role)) === "commercial";
  const inputId = useId();
  const errorId = useId();
  const [local, setLocal] = useState(() => localInput(new Date()));
  const [past, setPast] = useState<Past | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLElement>(null);

  async function show(event: FormEvent): Promise<void> {
    event.preventDefault();
    const at = momentOf(local);
    if (!at) {
      setError(t("asof.need_moment"));
      return;
    }
    await load(at);
  }

  // A history line's moment is exact (to the microsecond, which the input cannot hold): asked
  // as it is, and the input shows it to the second.
  useEffect(() => {
    if (!asked) return;
    setOpen(true);
    setLocal(localInput(new Date(asked.at), true));
    panel.current?.scrollIntoView({ block: "start" });
    void load(asked.at);
    // Only a new ask loads: `load` and the language are read as they are then.
  }, [asked]);

  async function load(at: string): Promise<void> {
    setBusy(true);
    try {
      const found = await ok(
        api.GET("/api/v1/orders/{order_id}/as-of", { params: { path: { order_id: orderId }, query: { at, lang } } }),
      );
      setPast(found);
      setError(null);
    } catch (err) {
      setPast(null);
      setError(refusal(err));
    } finally {
      setBusy(false);
    }
  }

  function refusal(err: unknown): string {
    if (err instanceof ApiError && err.code === "before_creation") {
      const created = typeof err.body.created_at === "string" ? err.body.created_at : null;
      return created ? t("asof.before_creation", { at: dateTime(created, lang) }) : t("asof.before_creation_plain");
    }
    if (err instanceof ApiError && err.code === "moment_in_future") return t("asof.future");
    if (err instanceof ApiError && err.status === 422) return t("asof.need_moment");
    return errorText(err, common.in(lang));
  }

  const address = past
    ? (past.customer.address_text ?? (typeof past.customer.address === "string" ? past.customer.address : past.customer.address?.text) ?? "")
    : "";
  return (
    <section className="panel as-of" aria-labelledby="order-asof" ref={panel}>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <h2 id="order-asof" className="inline">
            {t("asof.title")}
          </h2>
        </summary>
        <form className="row wrap as-of-form" onSubmit={(e) => void show(e)} noValidate>
          <label htmlFor={inputId}>{t("asof.moment")}</label>
          <input
            id={inputId}
            type="datetime-local"
            step={1}
            value={local}
            onChange={(e) => setLocal(e.currentTarget.value)}
            aria-invalid={Boolean(error)}
            aria-describedby={error ? errorId : undefined}
          />
          <button type="submit" disabled={busy}>
            {t("asof.show")}
          </button>
        </form>
        {error ? (
          <p id={errorId} className="error small" role="alert">
            {error}
          </p>
        ) : null}
        {past ? (
          <div className="past-view" role="region" aria-label={t("asof.region", { at: dateTime(past.as_of, lang) })}>
            <p className="past-banner">
              <strong>{t("asof.banner", { at: withSeconds(past.as_of, lang) })}</strong>{" "}
              <button type="button" className="link" onClick={() => setPast(null)}>
                {t("asof.hide")}
              </button>
            </p>
            <dl className="facts">
              <dt>{t("asof.stage")}</dt>
              <dd>
                <span className={`stage-badge stage-${past.stage}`}>{past.stage_title ?? past.stage}</span>
                {past.stage_entered_at ? (
                  <span className="muted small"> {t("asof.since", { at: dateTime(past.stage_entered_at, lang) })}</span>
                ) : null}
              </dd>
              <dt>{t("order.customer_name")}</dt>
              <dd>{past.customer.name || "—"}</dd>
              <dt>{t("order.phone")}</dt>
              <dd>{past.customer.phone || "—"}</dd>
              <dt>{t("order.address")}</dt>
              <dd>{address || "—"}</dd>
            </dl>
            {past.deal ? (
              <>
                <h3>{t("deal.title")}</h3>
                <DealFacts deal={past.deal} lang={lang} />
              </>
            ) : commercial ? (
              <p className="muted">{t("asof.no_deal")}</p>
            ) : null}
          </div>
        ) : null}
      </details>
    </section>
  );
}

/** The moment asked for to the second: events minutes apart are common, seconds apart too. */
function withSeconds(iso: string, lang: "ru" | "en"): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? iso
    : at.toLocaleString(locale(lang), { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

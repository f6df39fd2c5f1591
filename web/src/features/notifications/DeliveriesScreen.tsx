// «Доставка уведомлений» (admin): what the channels could not deliver. A delivery that kept
// failing (or was refused for good) is parked rather than retried forever; here an admin sees
// whose it was, on which channel and address, and the last error, to fix the address or the
// channel's settings. Other states on request (pending, sent, gone, cancelled). A customer's
// confirmation SMS (issue 20) is a delivery too: to the order's customer, with its text.
import { useCallback, useEffect, useId, useState, type ReactElement } from "react";
import { api, isAbort, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { dateTime } from "../order/format";
import { d } from "./deliveriesMessages";
import { p } from "./preferencesMessages";
import "./notifications.css";

type Delivery = Schemas["Delivery"];
const STATES = ["parked", "pending", "sent", "gone", "cancelled"] as const;
type State = (typeof STATES)[number];

export function DeliveriesScreen(): ReactElement {
  const t = d.use();
  const tp = p.use();
  const lang = useApp((s) => s.lang);
  const [state, setState] = useState<State>("parked");
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const stateId = useId();

  useEffect(() => {
    const controller = new AbortController();
    setRows(null);
    setError(null);
    ok(api.GET("/api/v1/notifications/deliveries", { params: { query: { state } }, signal: controller.signal }))
      .then(setRows)
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [state, tick, lang]);

  const channel = (name: string): string =>
    name === "sms"
      ? t("deliveries.sms")
      : ["inapp", "email", "webpush", "telegram"].includes(name)
        ? tp(`channel.${name}` as Parameters<typeof tp>[0])
        : name;
  // A customer is no user: the order they are the customer of says who.
  const who = (row: Delivery): string =>
    row.user_id
      ? (row.username ?? row.user_id)
      : row.order_number
        ? t("deliveries.customer_of", { n: row.order_number })
        : t("deliveries.customer");

  return (
    <section aria-label={t("deliveries.title")}>
      <div className="toolbar">
        <h1 id="deliveries-title" className="view-title">
          {t("deliveries.title")}
        </h1>
        <label htmlFor={stateId}>{t("deliveries.state")}</label>
        <select id={stateId} value={state} onChange={(e) => setState(e.target.value as State)}>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {t(`deliveries.state.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <LoadStatus error={error} loaded={rows !== null} onRetry={reload} />
      {rows && rows.length === 0 ? <p className="pad muted">{t(`deliveries.none.${state}`)}</p> : null}
      {rows && rows.length > 0 ? <p className="pad muted">{t("deliveries.caption")}</p> : null}
      {rows && rows.length > 0 ? (
        // Focusable: on a phone the table scrolls sideways inside it, by keyboard too.
        <div className="pad table-scroll" tabIndex={0} role="region" aria-label={t("deliveries.title")}>
          <table className="deliveries">
            <thead>
              <tr>
                <th scope="col">{t("deliveries.when")}</th>
                <th scope="col">{t("deliveries.who")}</th>
                <th scope="col">{t("deliveries.channel")}</th>
                <th scope="col">{t("deliveries.address")}</th>
                <th scope="col">{t("deliveries.attempts")}</th>
                <th scope="col">{t("deliveries.error")}</th>
                <th scope="col">{t("deliveries.text")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>{dateTime(row.created_at, lang)}</td>
                  <td>{who(row)}</td>
                  <td>{channel(row.channel)}</td>
                  <td className="wrap">{row.address}</td>
                  <td>{row.attempts}</td>
                  <td className="wrap">{row.last_error ?? "—"}</td>
                  <td className="wrap">{row.text ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

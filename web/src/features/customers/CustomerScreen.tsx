// One customer (`#/customers/<digits>`): the names and addresses their orders hold, the phone
// to call, every order with its stage and dates (newest first, each a link to its card), and
// their history on one page: the newest orders' histories merged in time order. Each history
// is read through the order's own history route, so it is filtered for the viewer exactly as
// the card's history is.
import { useCallback, useEffect, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { actorName } from "../order/History";
import { dateTime } from "../order/format";
import { m as orderMessages } from "../order/messages";
import { m } from "./messages";
import { HISTORY_ORDERS, mergeHistories, telHref, type Merged } from "./model";
import "./customers.css";

type Page = Schemas["CustomerPage"];

export function CustomerScreen({ params }: { params: { digits: string } }): ReactElement {
  const t = m.use();
  const to = orderMessages.use();
  const lang = useApp((s) => s.lang);
  const allowed = useMay("orders.see_all");
  const digits = params.digits;
  const [page, setPage] = useState<Page | null>(null);
  const [missing, setMissing] = useState(false);
  const [history, setHistory] = useState<Merged[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    const signal = controller.signal;
    setMissing(false);
    ok(api.GET("/api/v1/customers/{phone}", { params: { path: { phone: digits }, query: { lang } }, signal }))
      .then(async (found) => {
        setPage(found);
        setError(null);
        const orders = found.orders.slice(0, HISTORY_ORDERS);
        const perOrder = await Promise.all(
          orders.map(async (order) => ({
            order,
            entries: await ok(
              api.GET("/api/v1/orders/{order_id}/history", { params: { path: { order_id: order.id }, query: { lang } }, signal }),
            ),
          })),
        );
        setHistory(mergeHistories(perOrder));
      })
      .catch((err: unknown) => {
        if (signal.aborted) return;
        if (err instanceof ApiError && err.status === 404) setMissing(true);
        else setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, digits, tick, lang]);

  if (!allowed) return <p className="pad">{t("customers.forbidden")}</p>;
  const back = (
    <Link href="/customers" className="back">
      {t("customer.back")}
    </Link>
  );
  if (missing)
    return (
      <section className="customer-screen">
        {back}
        <p className="pad">{t("customer.not_found")}</p>
      </section>
    );
  const c = page?.customer;
  return (
    <section aria-labelledby="customer-title" className="customer-screen">
      {back}
      <LoadStatus error={error} loaded={page !== null} onRetry={reload} />
      {page && c ? (
        <>
          <h1 id="customer-title" className="view-title">
            {c.name}
          </h1>
          <div className="customer-head panel">
            <p>
              <span className="muted">{t("customer.phone")}: </span>
              <a className="tel" href={telHref(c.phone)}>
                {c.phone}
              </a>
            </p>
            <p className="muted small">
              {t("customer.summary", {
                orders: c.orders,
                open: c.open_orders,
                first: dateTime(c.first_order_at, lang),
                last: dateTime(c.last_order_at, lang),
              })}
            </p>
            {page.names.length > 1 ? (
              <p>
                <span className="muted">{t("customer.names")}: </span>
                {page.names.join(", ")}
              </p>
            ) : null}
            {page.addresses.length ? (
              <div>
                <span className="muted">{t("customer.addresses")}:</span>
                <ul className="customer-addresses">
                  {page.addresses.map((a) => (
                    <li key={a.text}>{a.text}</li>
                  ))}
                </ul>
              </div>
            ) : null}
          </div>
          <div className="customer-columns">
            <section className="panel" aria-labelledby="customer-orders">
              <h2 id="customer-orders">{t("customer.orders")}</h2>
              <ul className="customer-orders">
                {page.orders.map((o) => (
                  <li key={o.id} className={o.closed ? "closed" : undefined}>
                    <Link href={`/order/${o.id}`}>
                      №{o.number} {o.title}
                    </Link>
                    <span className="customer-stage">{o.stage_title ?? o.stage}</span>
                    <span className="muted small">
                      {t("customer.order_created", { date: dateTime(o.created_at, lang) })} ·{" "}
                      {t("customer.stage_since", { date: dateTime(o.stage_entered_at, lang) })}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
            <section className="panel" aria-labelledby="customer-history">
              <h2 id="customer-history">
                {t("customer.history")}
                {page.orders.length > HISTORY_ORDERS ? (
                  <span className="muted small"> ({t("customer.history_of", { n: HISTORY_ORDERS })})</span>
                ) : null}
              </h2>
              {history === null && !error ? <p className="muted">{common.in(lang)("common.loading")}</p> : null}
              {history ? (
                <ol className="history">
                  {history.length ? (
                    history.map((e) => (
                      <li key={e.event_id}>
                        <div>
                          <Link href={`/order/${e.order.id}`} className="small">
                            {t("customer.order_label", { number: e.order.number })}
                          </Link>{" "}
                          {e.summary || to("history.event")}
                        </div>
                        <div className="muted small">
                          <time dateTime={e.at}>{dateTime(e.at, lang)}</time> · {actorName(e.actor, to)}
                        </div>
                      </li>
                    ))
                  ) : (
                    <li className="muted">{t("customer.history_empty")}</li>
                  )}
                </ol>
              ) : null}
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}

// «Клиенты»: the customer directory, one row per number (the name from their latest order,
// how many orders, how many open, when the last was made), most recently active first. The
// search takes a number in any form or a part of the name; it is kept in the link (back from
// a customer's page finds the same list) and asked of the server 300 ms after the last key.
// Thousands of customers: a page at a time, «Показать ещё» for the next.
import { useCallback, useEffect, useRef, useState, type ReactElement } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { dateTime } from "../order/format";
import { m } from "./messages";
import { appendPage, PAGE_SIZE, searchQuery } from "./model";
import "./customers.css";

type Row = Schemas["DirectoryCustomer"];

export function CustomersScreen(): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const allowed = useMay("orders.see_all");
  const search = useSearch();
  const [, navigate] = useLocation();
  const q = new URLSearchParams(search).get("q") ?? "";
  const [text, setText] = useState(q);
  const sent = useRef(q);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [total, setTotal] = useState(0);
  // Where the next page starts, for the search it was asked under: a new search starts again
  // from the first page in the same render (no fetch of the old offset under the new search).
  const [paged, setPaged] = useState({ q, offset: 0 });
  const offset = paged.q === q ? paged.offset : 0;
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    const wanted = searchQuery(text);
    if (wanted === q) return;
    const timer = setTimeout(() => {
      sent.current = wanted;
      navigate(`/customers${wanted ? `?q=${encodeURIComponent(wanted)}` : ""}`, { replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [text, q, navigate]);
  useEffect(() => {
    if (q !== sent.current) {
      sent.current = q;
      setText(q);
    }
  }, [q]);

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    ok(
      api.GET("/api/v1/customers/directory", {
        params: { query: { q, offset, limit: PAGE_SIZE } },
        signal: controller.signal,
      }),
    )
      .then((page) => {
        setRows((had) => (offset === 0 ? page.customers : appendPage(had ?? [], page.customers)));
        setTotal(page.total);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, q, offset, tick, lang]);

  if (!allowed) return <p className="pad">{t("customers.forbidden")}</p>;
  return (
    <section aria-labelledby="customers-title" className="customers-screen">
      <div className="toolbar">
        <h1 id="customers-title" className="view-title">
          {t("customers.title")}
        </h1>
        <input
          type="search"
          className="search"
          inputMode="search"
          aria-label={t("customers.search")}
          placeholder={t("customers.search")}
          title={t("customers.search_hint")}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <LoadStatus error={error} loaded={rows !== null} onRetry={reload} />
      {rows ? (
        <p className="muted small" role="status">
          {total ? t("customers.count", { total }) : t("customers.none")}
        </p>
      ) : null}
      {rows?.length ? (
        <ul className="customers" aria-label={t("customers.list")}>
          {rows.map((c) => (
            <li key={c.digits} className="customer-row" data-digits={c.digits}>
              <Link href={`/customers/${c.digits}`} className="customer-name">
                {c.name}
              </Link>
              <span className="customer-phone">{c.phone}</span>
              <span className="customer-facts muted small">
                {t("customers.orders", { n: c.orders })}
                {c.open_orders ? <>, {t("customers.open", { n: c.open_orders })}</> : null} ·{" "}
                {t("customers.last", { date: dateTime(c.last_order_at, lang) })}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {rows && rows.length < total ? (
        <button type="button" className="more" onClick={() => setPaged({ q, offset: rows.length })}>
          {t("customers.more")}
        </button>
      ) : null}
    </section>
  );
}

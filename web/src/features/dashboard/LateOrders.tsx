// The open orders whose closing forecast passes the day promised to the customer (issue 13,
// item 3): how many, and each with its stage, the promise, the expected day and how late.
// As of now: the forecast report is not narrowed by the dashboard's period.
import type { ReactElement } from "react";
import { Link } from "wouter";
import { fullDay } from "../forecast/day";
import { LateFlag } from "../forecast/LateFlag";
import { useApp } from "../../store/app";
import { lateOrders } from "./chartData";
import { m } from "./messages";
import type { Report } from "./useReports";

export function LateOrders({ report }: { report: Report }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const late = lateOrders(report.rows);
  // The server's total counts every late order; the rows are the same orders.
  const count = report.late ?? late.length;
  return (
    <>
      <div className="overdue-counts">
        <div className={count ? "big-count late" : "big-count"} data-late-count="">
          <span className="big-number">{count}</span>
          <span>{t("late.count", { orders: report.orders ?? 0 })}</span>
        </div>
      </div>
      {late.length ? (
        <ul className="late-list" aria-label={t("late.list")}>
          {late.map((o) => (
            <li key={o.orderId} data-order-id={o.orderId}>
              <Link href={`/order/${o.orderId}`}>
                {o.number !== null ? <span>{t("drill.number", { n: o.number })}</span> : null}
                <span>{o.title}</span>
              </Link>
              <span className="muted small">{o.stage}</span>
              <LateFlag promised={o.promised} forecast={o.expected} lang={lang} />
              <span className="small">
                {t("late.expected", { day: fullDay(o.expected, lang) })} · {t("late.days", { n: o.daysLate })}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{t("late.none")}</p>
      )}
    </>
  );
}

// An import's report in words: how many orders are (or would be) created, updated, already
// there and skipped; the orders that are news, with links once they exist; each skipped
// deal's reason; the responsible people we have no user for; the phones that did not parse.
import { useState, type ReactElement } from "react";
import { useMay } from "../../app/roles";
import { useApp } from "../../store/app";
import { m } from "./messages";
import { changeKey, detailOf, newsOf, summarize, userWhy, whyKey, type Report, type Stage } from "./model";

const FIRST_ROWS = 50;

type Action = Report["orders"][number]["action"];
const actionKey = (action: Action, dry: boolean) =>
  dry && action === "created" ? "action.created_dry" : dry && action === "updated" ? "action.updated_dry" : (`action.${action}` as const);

export function ReportView({ report, stages }: { report: Report; stages: Stage[] }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const seesOrders = useMay("orders.see");
  const [all, setAll] = useState(false);
  const summary = summarize(report);
  const dry = report.dry_run;
  const news = newsOf(report);
  const shown = all ? news : news.slice(0, FIRST_ROWS);
  // What a re-run changes: a column only when some order has a change to show.
  const changing = news.some((o) => o.changes.length > 0);
  const stageTitle = (key: string): string => {
    const s = stages.find((x) => x.key === key);
    return s ? (lang === "en" ? s.title_en : s.title_ru) || s.title_ru : key;
  };
  const counts: [string, number, string][] = [
    [dry ? t("report.created_dry") : t("report.created"), summary.created, "created"],
    [dry ? t("report.updated_dry") : t("report.updated"), summary.updated, "updated"],
    [t("report.unchanged"), summary.unchanged, "unchanged"],
    [t("report.skipped"), summary.skipped, "skipped"],
  ];
  return (
    <div className="imp-report">
      <dl className="imp-counts" aria-label={t("report.counts")}>
        {counts.map(([label, n, kind]) => (
          <div key={kind} className={`imp-count ${kind}${n ? "" : " zero"}`} data-count={kind}>
            <dt>{label}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      {summary.nothingNew && (summary.unchanged || !summary.needsMap) ? (
        <p className="imp-note" role="note">
          {summary.unchanged ? t("report.nothing_new") : t("report.nothing_usable")}
        </p>
      ) : null}

      {news.length ? (
        <>
          <h3>{t("report.orders")}</h3>
          {!dry && !seesOrders ? <p className="muted small">{t("report.order_note")}</p> : null}
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("report.orders")}>
            <table className="imp-table">
              <caption className="visually-hidden">
                {dry ? t("report.orders_caption") : t("report.orders_done_caption")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("report.deal")}</th>
                  <th scope="col">{t("report.action")}</th>
                  <th scope="col">{t("report.stage")}</th>
                  {changing ? <th scope="col">{dry ? t("report.changes") : t("report.changed")}</th> : null}
                  {dry ? null : <th scope="col">{t("report.order")}</th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((o) => (
                  <tr key={o.deal_id} data-deal={o.deal_id}>
                    <td>{o.deal_id}</td>
                    <td>{t(actionKey(o.action, dry))}</td>
                    <td>{stageTitle(o.stage)}</td>
                    {changing ? (
                      <td>
                        {o.changes
                          .map((c) => {
                            const key = changeKey(c);
                            return key ? t(key) : c;
                          })
                          .join(", ") || "—"}
                      </td>
                    ) : null}
                    {dry ? null : (
                      <td>
                        {o.order_id ? (
                          // A real `#/order/<id>` href: a link the admin can copy and send on.
                          <a href={`#/order/${o.order_id}`} aria-label={t("report.open_order", { deal: o.deal_id })}>
                            {t("report.open")}
                          </a>
                        ) : (
                          "—"
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {news.length > shown.length ? (
            <button type="button" className="link" onClick={() => setAll(true)}>
              {t("report.show_all", { n: news.length })}
            </button>
          ) : null}
        </>
      ) : null}

      {report.skipped.length ? (
        <>
          <h3>{t("report.skipped_title")}</h3>
          <p className="muted small">{t("report.skipped_caption")}</p>
          <ul className="imp-reasons">
            {summary.byWhy.map((w) => (
              <li key={w.key}>
                {t(w.key)}: <strong>{w.count}</strong>
              </li>
            ))}
          </ul>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("report.skipped_title")}>
            <table className="imp-table">
              <thead>
                <tr>
                  <th scope="col">{t("report.deal")}</th>
                  <th scope="col">{t("report.reason")}</th>
                  <th scope="col">{t("report.detail")}</th>
                </tr>
              </thead>
              <tbody>
                {report.skipped.map((s) => (
                  <tr key={s.id} data-skipped={s.id}>
                    <td>{s.id}</td>
                    <td>{t(whyKey(s.why))}</td>
                    <td className="muted small wrap">{detailOf(s) || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {report.unmatched_users.length ? (
        <>
          <h3>{t("report.users_title")}</h3>
          <p className="muted small">{t("report.users_intro")}</p>
          <ul className="imp-users">
            {report.unmatched_users.map((u) => {
              const why = userWhy(u.why);
              const who = [u.name, u.email].filter(Boolean).join(", ") || `ID ${u.id}`;
              return (
                <li key={u.id}>
                  <strong>{who}</strong> — {t(why.key, { role: why.role ?? "" })}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}

      {report.unparseable_phones.length ? (
        <>
          <h3>{t("report.phones_title")}</h3>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("report.phones_title")}>
            <table className="imp-table">
              <thead>
                <tr>
                  <th scope="col">{t("report.deal")}</th>
                  <th scope="col">{t("report.contact")}</th>
                  <th scope="col">{t("report.phone")}</th>
                </tr>
              </thead>
              <tbody>
                {report.unparseable_phones.map((p, i) => (
                  <tr key={`${p.deal_id}-${i}`}>
                    <td>{p.deal_id}</td>
                    <td>{p.contact_id}</td>
                    <td>{p.value || t("report.no_phone")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </div>
  );
}

// The director's control (issue 13, item 2): the funnel, time in stage, what is overdue and
// the crews' load for a period, as charts with the same numbers in tables (readable on a
// phone, and what assistive technology reads); and, as of now, the open orders late for the
// day promised to the customer (item 3). A number drills down to the orders behind it;
// each report downloads as CSV through the session. The period lives in the link.
import { lazy, Suspense, useMemo, useState, type ReactElement, type ReactNode } from "react";
import { useLocation, useSearch } from "wouter";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { durationBars, funnelBars, hoursText, loadBars, overdueItems, percentText } from "./chartData";
import { downloadCsv, type ReportName } from "./csv";
import { DrillDialog, type Drill } from "./DrillDialog";
import { LateOrders } from "./LateOrders";
import { m } from "./messages";
import { PeriodPicker } from "./PeriodPicker";
import { companyToday, dayOf, periodQuery, readPeriod, type Period } from "./period";
import { useReports, type Reports } from "./useReports";
import "./dashboard.css";

type T = ReturnType<typeof m.use>;
// The chart library is most of a megabyte: loaded with the dashboard, not with every screen.
const charts = (): Promise<typeof import("./Charts")> => import("./Charts");
const FunnelChart = lazy(() => charts().then((mod) => ({ default: mod.FunnelChart })));
const DurationChart = lazy(() => charts().then((mod) => ({ default: mod.DurationChart })));
const OverdueChart = lazy(() => charts().then((mod) => ({ default: mod.OverdueChart })));
const LoadChart = lazy(() => charts().then((mod) => ({ default: mod.LoadChart })));

export function DashboardScreen(): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const allowed = useMay("reports.read");
  const search = useSearch();
  const [, navigate] = useLocation();
  // Today (the company's) changes once a day; the presets are computed from it.
  const today = dayOf(companyToday());
  const period = useMemo(() => readPeriod(search, companyToday()), [search, today]);
  const { reports, error, retry } = useReports(period, lang, allowed);
  const [drill, setDrill] = useState<Drill | null>(null);

  function choose(p: Period): void {
    navigate(`/dashboard?${periodQuery(p)}`);
  }

  if (!allowed) return <p className="pad">{t("dash.forbidden")}</p>;
  const shownDays = (d: string): string => new Date(`${d}T12:00:00`).toLocaleDateString(lang === "en" ? "en-GB" : "ru-RU");
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <div className="toolbar">
        <h1 id="dash-title" className="view-title">
          {t("dash.title")}
        </h1>
      </div>
      <PeriodPicker period={period} onChange={choose} />
      <p className="muted small" role="status">
        {t("period.shown", { from: shownDays(period.from), to: shownDays(period.to) })}
      </p>
      <LoadStatus error={error} loaded={Boolean(reports)} onRetry={retry} />
      {reports ? <Panels reports={reports} period={period} t={t} onDrill={setDrill} /> : null}
      <DrillDialog drill={drill} period={period} onClose={() => setDrill(null)} />
    </section>
  );
}

function Panels({ reports, period, t, onDrill }: { reports: Reports; period: Period; t: T; onDrill: (d: Drill) => void }): ReactElement {
  const lang = useApp((s) => s.lang);
  const funnel = funnelBars(reports.funnel.rows);
  const durations = durationBars(reports["stage-durations"].rows);
  const overdue = overdueItems(reports.overdue.rows);
  const load = loadBars(reports.workload.rows);
  // A stage nobody left in the period has no time to draw (a zero bar would say "no time").
  const timed = durations.filter((b) => b.median !== null);
  const unit = lang === "en" ? " h" : " ч";
  const overdueBars = [
    { key: "task", label: t("overdue.tasks"), count: overdue.tasks.length },
    { key: "order", label: t("overdue.orders"), count: overdue.orders.length },
  ];
  const drill = (report: Drill["report"], reportTitle: string, key: string, what: string): void =>
    onDrill({ report, reportTitle, key, what });

  return (
    <Suspense fallback={null}>
      <div className="dash-grid">
        <Panel id="funnel" title={t("funnel.title")} hint={t("funnel.hint")} report="funnel" period={period}>
          <FunnelChart
            bars={funnel}
            names={[t("funnel.entered"), t("funnel.advanced")]}
            onPick={(i) => funnel[i] && drill("funnel", t("funnel.title"), funnel[i].key, funnel[i].label)}
          />
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("funnel.table")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("funnel.stage")}</th>
                  <th scope="col">{t("funnel.entered")}</th>
                  <th scope="col">{t("funnel.advanced")}</th>
                  <th scope="col">{t("funnel.conversion")}</th>
                </tr>
              </thead>
              <tbody>
                {funnel.map((bar) => (
                  <tr key={bar.key} data-stage={bar.key}>
                    <th scope="row">{bar.label}</th>
                    <td>
                      <Count n={bar.entered} label={t("drill.open", { what: bar.label })} onClick={() => drill("funnel", t("funnel.title"), bar.key, bar.label)} />
                    </td>
                    <td>{bar.advanced}</td>
                    <td>{percentText(bar.conversion, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>

        <Panel id="overdue" title={t("overdue.title")} hint={t("overdue.hint")} report="overdue" period={period}>
          <div className="overdue-counts">
            {overdueBars.map((bar) => (
              <button
                key={bar.key}
                type="button"
                className={bar.count ? "big-count late" : "big-count"}
                data-overdue={bar.key}
                onClick={() => drill("overdue", t("overdue.title"), bar.key, bar.label)}
              >
                <span className="big-number">{bar.count}</span>
                <span>{bar.label}</span>
              </button>
            ))}
          </div>
          <OverdueChart
            bars={overdueBars}
            onPick={(i) => overdueBars[i] && drill("overdue", t("overdue.title"), overdueBars[i].key, overdueBars[i].label)}
          />
        </Panel>

        <Panel id="durations" title={t("durations.title")} hint={t("durations.hint")} report="stage-durations" period={period}>
          {timed.length ? (
            <DurationChart
              bars={timed}
              names={[t("durations.median"), t("durations.p90")]}
              unit={unit}
              onPick={(i) => timed[i] && drill("stage-durations", t("durations.title"), timed[i].key, timed[i].label)}
            />
          ) : (
            <p className="muted small">{t("durations.none")}</p>
          )}
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("durations.table")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("durations.stage")}</th>
                  <th scope="col">{t("durations.count")}</th>
                  <th scope="col">{t("durations.median")}</th>
                  <th scope="col">{t("durations.p90")}</th>
                </tr>
              </thead>
              <tbody>
                {durations.map((bar) => (
                  <tr key={bar.key} data-stage={bar.key}>
                    <th scope="row">{bar.label}</th>
                    <td>
                      <Count n={bar.count} label={t("drill.open", { what: bar.label })} onClick={() => drill("stage-durations", t("durations.title"), bar.key, bar.label)} />
                    </td>
                    <td>{hoursText(bar.median, lang)}</td>
                    <td>{hoursText(bar.p90, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>

        <Panel
          id="workload"
          title={t("workload.title")}
          hint={t("workload.hint", { hours: reports.workload.assumed_hours_per_weekday ?? 8 })}
          report="workload"
          period={period}
        >
          <LoadChart
            bars={load}
            names={[t("workload.booked"), t("workload.capacity")]}
            onPick={(i) => load[i] && drill("workload", t("workload.title"), load[i].key, load[i].label)}
          />
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("workload.table")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("workload.member")}</th>
                  <th scope="col">{t("workload.visits")}</th>
                  <th scope="col">{t("workload.booked")}</th>
                  <th scope="col">{t("workload.share")}</th>
                </tr>
              </thead>
              <tbody>
                {load.map((bar) => (
                  <tr key={bar.key} data-member={bar.key}>
                    <th scope="row">{bar.label}</th>
                    <td>
                      <Count n={bar.visits} label={t("drill.open", { what: bar.label })} onClick={() => drill("workload", t("workload.title"), bar.key, bar.label)} />
                    </td>
                    <td>{hoursText(bar.booked, lang)}</td>
                    <td>{percentText(bar.utilisation, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
        <Panel id="late" title={t("late.title")} hint={t("late.hint")} report="forecast" period={period}>
          <LateOrders report={reports.forecast} />
        </Panel>
      </div>
    </Suspense>
  );
}

/** A count that opens the orders behind it; a zero is just a zero. */
function Count({ n, label, onClick }: { n: number; label: string; onClick: () => void }): ReactElement {
  if (!n) return <span>0</span>;
  return (
    <button type="button" className="count-link" aria-label={`${n}. ${label}`} onClick={onClick}>
      {n}
    </button>
  );
}

function Panel({
  id,
  title,
  hint,
  report,
  period,
  children,
}: {
  id: string;
  title: string;
  hint: string;
  report: ReportName;
  period: Period;
  children: ReactNode;
}): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState(false);
  async function download(): Promise<void> {
    setBusy(true);
    try {
      toast(t("csv.saved", { name: await downloadCsv(report, period, lang) }));
    } catch (err) {
      toast(errorText(err, common.in(lang)), "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className={`panel panel-${id}`} aria-labelledby={`panel-${id}`} data-report={report}>
      <header className="panel-head">
        <h2 id={`panel-${id}`}>{title}</h2>
        <button type="button" disabled={busy} aria-label={t("csv.download_of", { report: title })} onClick={() => void download()}>
          {t("csv.download")}
        </button>
      </header>
      <p className="muted small">{hint}</p>
      {children}
    </section>
  );
}

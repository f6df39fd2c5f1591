// The imports run so far (GET /imports, newest first): when, who, how each ended, and its
// report on request — so an admin coming back sees what was brought over, and whether an
// import that was under way when they left finished or was interrupted.
import { useEffect, useState, type ReactElement } from "react";
import { api, isAbort, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { dateTime } from "../order/format";
import { m } from "./messages";
import { pastImports, statusKey, type Job, type Report, type Stage } from "./model";
import { ReportView } from "./ReportView";

export function PastImports({ stages, tick }: { stages: Stage[]; tick: number }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<{ id: string; report: Report | null } | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/imports", { params: { query: { limit: 20 } }, signal: controller.signal }))
      .then((found) => {
        setJobs(pastImports(found.imports));
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [tick, lang]);

  function show(job: Job): void {
    if (open?.id === job.id) return setOpen(null);
    setOpen({ id: job.id, report: null });
    ok(api.GET("/api/v1/imports/{import_id}", { params: { path: { import_id: job.id } } }))
      .then((found) => setOpen((had) => (had?.id === job.id ? { id: job.id, report: found.report ?? null } : had)))
      .catch((err: unknown) => setError(errorText(err, common.in(lang))));
  }

  const shown = open ? jobs?.find((j) => j.id === open.id) : undefined;
  return (
    <div className="panel imp-past">
      <h2>{t("past.title")}</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {jobs && jobs.length === 0 ? <p className="muted">{t("past.none")}</p> : null}
      {jobs && jobs.length ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t("past.title")}>
          <table className="imp-table">
            <thead>
              <tr>
                {/* The report's button third: on a phone it stays in sight, the rest scrolls. */}
                <th scope="col">{t("past.when")}</th>
                <th scope="col">{t("past.status")}</th>
                <th scope="col">{t("past.report")}</th>
                <th scope="col">{t("past.deals")}</th>
                <th scope="col">{t("past.who")}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => {
                const when = dateTime(job.started_at, lang);
                return (
                  <tr key={job.id} data-import={job.id} className={`imp-status-${job.status}`}>
                    <td>{when}</td>
                    <td>{t(statusKey(job.status))}</td>
                    <td>
                      {job.status === "done" ? (
                        <button
                          type="button"
                          className="link"
                          aria-expanded={open?.id === job.id}
                          aria-label={open?.id === job.id ? t("past.hide") : t("past.show", { when })}
                          onClick={() => show(job)}
                        >
                          {open?.id === job.id ? t("past.hide") : t("past.show_short")}
                        </button>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>{t("past.deals_n", { done: job.done, total: job.total })}</td>
                    <td>{job.started_by ?? "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {open && shown ? (
        <div className="imp-past-report">
          <h3>{t("past.report_title", { when: dateTime(shown.started_at, lang) })}</h3>
          {open.report ? <ReportView report={open.report} stages={stages} /> : <p className="muted">{common.in(lang)("common.loading")}</p>}
        </div>
      ) : null}
    </div>
  );
}

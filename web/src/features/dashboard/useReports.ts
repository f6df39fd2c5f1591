// The reports of one period (and the forecast, as of now), read together (one loading line, one retry), in the
// user's language (stage titles). A new period or language reads them again; a read of an
// older period still in flight is cancelled, so its late answer cannot overwrite the new one.
import { useCallback, useEffect, useState } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import type { Lang } from "../../store/app";
import type { ReportName } from "./csv";
import type { Period } from "./period";

export type Report = Schemas["Report"];
export type Reports = Record<ReportName, Report>;
// The forecast is as of now (the period does not narrow it); it is read with the others so the
// dashboard has one loading line and one retry.
export const REPORTS: readonly ReportName[] = ["funnel", "stage-durations", "overdue", "workload", "forecast"];

export function useReports(
  period: Period,
  lang: Lang,
  allowed: boolean,
): { reports: Reports | null; error: string | null; retry: () => void } {
  const [reports, setReports] = useState<Reports | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const retry = useCallback(() => setTick((n) => n + 1), []);
  const { from, to } = period;

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    const read = (name: ReportName): Promise<Report> =>
      ok(
        api.GET("/api/v1/reports/{name}", {
          params: { path: { name }, query: { from, to, lang } },
          signal: controller.signal,
        }),
      ) as Promise<Report>;
    setError(null);
    Promise.all(REPORTS.map(read))
      .then((found) => {
        setReports(Object.fromEntries(REPORTS.map((name, i) => [name, found[i]])) as Reports);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, from, to, lang, tick]);

  return { reports, error, retry };
}

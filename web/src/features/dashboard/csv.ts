// CSV downloads from the browser session: the report is fetched with the session's bearer
// token (the typed client's middleware adds it and refreshes it), turned into a Blob and saved
// through an object URL. A plain link would need a cookie that authenticates GETs, which the
// gateway deliberately does not have (the refresh cookie goes only to /api/v1/auth/*).
import { api, ApiError, isAbort } from "../../api/client";
import { companyToday, dayOf, type Period } from "./period";

export type ReportName = "funnel" | "stage-durations" | "overdue" | "workload" | "forecast";

/** "funnel_2026-11-01_2026-11-30.csv": the report and its days, so saved files sort and
 * never overwrite another period's. The forecast is as of now, whatever the period: it is
 * named for the day it was taken ("forecast_2026-11-30.csv"). */
export function csvFileName(report: ReportName, p: Pick<Period, "from" | "to">, today: string = dayOf(companyToday())): string {
  return report === "forecast" ? `forecast_${today}.csv` : `${report}_${p.from}_${p.to}.csv`;
}

/** Fetch the report's CSV and hand it to the browser as a download named for it. */
export async function downloadCsv(report: ReportName, p: Period, lang: string): Promise<string> {
  const reply = await api
    .GET("/api/v1/reports/{name}", {
      params: {
        path: { name: report },
        query: { from: p.from, to: p.to, format: "csv", lang: lang === "en" ? "en" : "ru" },
      },
      parseAs: "blob",
    })
    .catch((err: unknown) => {
      throw isAbort(err) ? err : new ApiError(0, null);
    });
  if (!reply.response.ok) throw new ApiError(reply.response.status, reply.error);
  const name = csvFileName(report, p);
  const url = URL.createObjectURL(reply.data as Blob);
  try {
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // After the click has handed the Blob to the download; revoking at once can cancel it.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return name;
}

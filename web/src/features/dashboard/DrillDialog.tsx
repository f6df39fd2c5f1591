// The orders behind one number of a report, for the same period, each a link to its card.
// Read from the gateway (GET /api/v1/reports/{name}/orders): the reports' rows carry counts,
// not the orders, and the orders behind a count are the projection's to say.
import { useEffect, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { LoadStatus } from "../../ui/LoadStatus";
import type { ReportName } from "./csv";
import { m } from "./messages";
import type { Period } from "./period";

// The forecast has no drill-down: its panel lists its late orders itself.
export type Drill = { report: Exclude<ReportName, "forecast">; reportTitle: string; key: string; what: string };
type Behind = Schemas["ReportOrders"];

export function DrillDialog({ drill, period, onClose }: { drill: Drill | null; period: Period; onClose: () => void }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const [found, setFound] = useState<Behind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    setFound(null);
    setError(null);
    if (!drill) return;
    const controller = new AbortController();
    ok(
      api.GET("/api/v1/reports/{name}/orders", {
        params: {
          path: { name: drill.report },
          query: { key: drill.key, from: period.from, to: period.to, lang },
        },
        signal: controller.signal,
      }),
    )
      .then(setFound)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [drill, period.from, period.to, lang, tick]);

  return (
    <Dialog
      open={Boolean(drill)}
      onClose={onClose}
      title={drill ? t("drill.title", { report: drill.reportTitle, what: drill.what }) : ""}
    >
      <LoadStatus error={error} loaded={Boolean(found)} onRetry={() => setTick((n) => n + 1)} />
      {found ? (
        <>
          <p className="muted small" role="status">
            {found.rows.length ? t("drill.count", { n: found.rows.length }) : t("drill.none")}
          </p>
          {found.rows.length ? (
            <ul className="drill" aria-label={t("drill.list")}>
              {found.rows.map((row) => (
                <li key={row.order_id} data-order-id={row.order_id}>
                  <Link href={`/order/${row.order_id}`} onClick={onClose}>
                    <span className="number">{t("drill.number", { n: row.number })}</span> {row.title}
                  </Link>
                  <span className="muted small">{row.stage_title}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </Dialog>
  );
}

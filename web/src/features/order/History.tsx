// The order's history, newest first (what just happened is what people look for): the
// server's readable summary, who did it (a person, a robot, the system) and when.
import { useEffect, useState, type ReactElement } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { dateTime } from "./format";
import { m } from "./messages";

type Entry = Schemas["HistoryEntry"];

export function actorName(actor: Entry["actor"], t: (key: "history.system" | "history.robot") => string): string {
  if (actor.name || actor.username) return actor.name || actor.username || "";
  return actor.kind === "rule" || actor.rule_id ? t("history.robot") : t("history.system");
}

type Props = { orderId: string; refreshKey: unknown; onAsOf?: (at: string) => void };

export function History({ orderId, refreshKey, onAsOf }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Open on a wide screen; on a phone it would push the chat far down.
  const [open] = useState(() => window.innerWidth > 900);

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/orders/{order_id}/history", { params: { path: { order_id: orderId }, query: { lang } }, signal: controller.signal }))
      .then((found) => {
        setEntries([...found].reverse());
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [orderId, refreshKey, lang]);

  return (
    <section className="panel" aria-labelledby="order-history">
      <details open={open}>
        <summary>
          <h2 id="order-history" className="inline">
            {t("history.title")}
          </h2>
        </summary>
        {error ? <p className="error">{error}</p> : null}
        {!entries && !error ? <p className="muted">{tc("common.loading")}</p> : null}
        {entries ? (
          <ol className="history">
            {entries.length ? (
              entries.map((e) => (
                <li key={e.event_id}>
                  <div>{e.summary || t("history.event")}</div>
                  <div className="muted small">
                    <time dateTime={e.at}>{dateTime(e.at, lang)}</time> · {actorName(e.actor, t)}
                    {onAsOf ? (
                      <>
                        {" · "}
                        <button type="button" className="link small" onClick={() => onAsOf(e.at)}>
                          {t("history.as_of")}
                        </button>
                      </>
                    ) : null}
                  </div>
                </li>
              ))
            ) : (
              <li className="muted">{t("history.empty")}</li>
            )}
          </ol>
        ) : null}
      </details>
    </section>
  );
}

// Before publishing: what the new version adds, removes and changes against the current one,
// and how many open orders stay where they are (each order keeps its version). Publishing
// is from here only, so nobody publishes without having seen this.
import { useEffect, useState, type ReactElement } from "react";
import { api, ApiError, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { m } from "./messages";
import { diff, staying, type Change, type Detail, type Pipeline, type PipelineRequest } from "./model";

type Props = { current: Pipeline; next: PipelineRequest; onClose: () => void; onPublished: (p: Pipeline) => void };

export function PreviewDialog({ current, next, onClose, onPublished }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const [counts, setCounts] = useState<{ current: number; older: number } | "failed" | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changes = diff(current, next);
  const title = (s: { title_ru: string; title_en: string }): string => (lang === "en" ? s.title_en : s.title_ru);
  const titles = new Map([...current.stages, ...next.stages].map((s) => [s.key, title(s)]));
  const moves = (keys: string[]): string => (keys.length ? keys.map((k) => titles.get(k) ?? k).join(", ") : t("preview.nowhere"));
  const hours = (n: number | null): string => (n === null ? t("preview.no_limit") : t("preview.hours", { n }));

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/pipeline/open-orders", { signal: controller.signal }))
      .then((found) => setCounts(staying(found.versions, current.version)))
      .catch(() => {
        if (!controller.signal.aborted) setCounts("failed");
      });
    return () => controller.abort();
  }, [current.version]);

  function detail(d: Detail): string {
    switch (d.field) {
      case "title_ru":
      case "title_en":
        return t(`preview.${d.field}`, { from: d.from, to: d.to });
      case "limit_hours":
        return t("preview.limit_hours", { from: hours(d.from), to: hours(d.to) });
      case "terminal":
        return d.to ? t("preview.terminal_on") : t("preview.terminal_off");
      case "position":
        return t("preview.position", { from: d.from, to: d.to });
      case "gate_added":
      case "gate_removed":
        return t(`preview.${d.field}`, { message: lang === "en" ? d.message_en : d.message_ru });
      case "forward":
        return t("preview.forward", { from: moves(d.from), to: moves(d.to) });
    }
  }

  function line(c: Change): ReactElement {
    if (c.kind === "added")
      return (
        <li key={c.key} className="change added" data-change="added" data-stage={c.key}>
          {t("preview.added", { title: title(c), position: c.position })}
        </li>
      );
    if (c.kind === "removed")
      return (
        <li key={c.key} className="change removed" data-change="removed" data-stage={c.key}>
          {t("preview.removed", { title: title(c) })}
        </li>
      );
    return (
      <li key={c.key} className="change changed" data-change="changed" data-stage={c.key}>
        {t("preview.changed", { title: title(c) })}
        <ul>
          {c.details.map((d, i) => (
            <li key={i}>{detail(d)}</li>
          ))}
        </ul>
      </li>
    );
  }

  async function publish(): Promise<void> {
    setBusy(true);
    setFailure(null);
    try {
      onPublished(await ok(api.PUT("/api/v1/pipeline", { body: next })));
    } catch (err) {
      // The orders service's own reason (a version it refuses) is said as it is.
      setFailure(err instanceof ApiError && err.status === 409 ? t("error.conflict") : err instanceof ApiError && err.status === 422 ? err.message : errorText(err, tc));
    } finally {
      setBusy(false);
    }
  }

  const version = current.version + 1;
  return (
    <Dialog open wide title={t("preview.title")} onClose={onClose}>
      <section aria-labelledby="preview-changes" className="pipe-preview">
        <h3 id="preview-changes">{t("preview.changes")}</h3>
        {changes.length ? <ul className="changes">{changes.map(line)}</ul> : <p className="muted">{t("preview.none")}</p>}
      </section>
      <section aria-labelledby="preview-orders" className="pipe-preview">
        <h3 id="preview-orders">{t("preview.orders")}</h3>
        {counts === null ? (
          <p className="muted" aria-busy="true">
            {tc("common.loading")}
          </p>
        ) : counts === "failed" ? (
          <p className="error">{t("preview.counts_failed")}</p>
        ) : (
          <ul className="plain" data-testid="open-orders">
            <li data-count="current">{t("preview.stay_current", { version: current.version, n: counts.current })}</li>
            {counts.older ? <li data-count="older">{t("preview.stay_older", { n: counts.older })}</li> : null}
          </ul>
        )}
        <p>{t("preview.new_orders", { version })}</p>
      </section>
      {failure ? (
        <p className="error" role="alert">
          {failure}
        </p>
      ) : null}
      <div className="pipe-dialog-actions">
        <button type="button" className="primary" disabled={busy || !changes.length} onClick={() => void publish()}>
          {t("preview.publish", { version })}
        </button>
        <button type="button" onClick={onClose}>
          {t("preview.back")}
        </button>
      </div>
    </Dialog>
  );
}

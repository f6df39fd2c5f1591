// The inbox: robots' reminders, mentions in chats, stage changes. Unread first by default;
// opening one reads it and opens its order (one tap, not two, on a phone).
import { useCallback, useEffect, useState, type MouseEvent, type ReactElement } from "react";
import { Link, useLocation } from "wouter";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { dateTime } from "../order/format";
import { useLiveRefetch } from "../order/live";
import { m } from "./messages";
import { refreshUnread } from "./unread";
import "./notifications.css";

type Notification = Schemas["Notification"];

async function markRead(id: string): Promise<void> {
  await ok(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } }));
}

export function NotificationsScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const [, navigate] = useLocation();
  const [all, setAll] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/notifications", { params: { query: { unread: !all, lang } }, signal: controller.signal }))
      .then((found) => {
        setItems(found);
        setError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const absent = err instanceof ApiError && err.status === 404;
        setError(absent ? m.in(lang)("notifications.unavailable") : errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [all, tick, lang]);

  useLiveRefetch(["notification"], reload);

  const failed = (err: unknown): void => toast(errorText(err, tc), "error");

  async function readOne(n: Notification): Promise<void> {
    try {
      await markRead(n.id);
    } catch (err) {
      failed(err);
    }
    reload();
    void refreshUnread();
  }

  async function open(event: MouseEvent<HTMLAnchorElement>, n: Notification): Promise<void> {
    if (n.read || !n.order_id) return; // a plain link then
    event.preventDefault();
    try {
      await markRead(n.id);
    } catch (err) {
      failed(err); // the order opens anyway: reading it is what matters
    }
    void refreshUnread();
    navigate(`/order/${n.order_id}`);
  }

  async function readAll(): Promise<void> {
    if (!items) return;
    setBusy(true);
    try {
      for (const n of items.filter((item) => !item.read)) await markRead(n.id);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
      reload();
      void refreshUnread();
    }
  }

  const unreadShown = items?.some((n) => !n.read) ?? false;
  return (
    <section aria-labelledby="notifications-title">
      <div className="toolbar">
        <h1 id="notifications-title" className="view-title">
          {t("notifications.title")}
        </h1>
        <div className="row wrap">
          <button type="button" onClick={() => setAll((v) => !v)}>
            {all ? t("notifications.show_unread") : t("notifications.show_all")}
          </button>
          <button type="button" onClick={() => void readAll()} disabled={busy || !unreadShown}>
            {t("notifications.read_all")}
          </button>
          <Link href="/notifications/settings">{t("notifications.settings")}</Link>
        </div>
      </div>
      <LoadStatus error={error} loaded={Boolean(items)} onRetry={reload} />
      {items && !items.length ? (
        <p className="muted pad">{all ? t("notifications.none") : t("notifications.none_unread")}</p>
      ) : null}
      {items?.length ? (
        <ul className="inbox" aria-label={t("notifications.list")}>
          {items.map((n) => (
            <li key={n.id} className={n.read ? "read" : "unread"}>
              <div className="inbox-text" id={`n-${n.id}`}>
                {n.read ? null : <span className="visually-hidden">{t("notifications.unread")}: </span>}
                {n.order_id ? (
                  <Link href={`/order/${n.order_id}`} onClick={(e: MouseEvent<HTMLAnchorElement>) => void open(e, n)}>
                    {n.text}
                  </Link>
                ) : (
                  n.text
                )}
              </div>
              <div className="row spread">
                <time className="muted small" dateTime={n.created_at}>
                  {dateTime(n.created_at, lang)}
                </time>
                {n.read ? null : (
                  <button type="button" className="link" aria-describedby={`n-${n.id}`} onClick={() => void readOne(n)}>
                    {t("notifications.mark_read")}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

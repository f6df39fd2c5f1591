// «Настройка уведомлений»: which kinds of notice reach the person on which channels, and quiet
// hours. The server decides what a role may turn on (field roles: their own visits and tasks
// only beyond the app); those boxes come disabled, marked «Только в приложении».
import { useCallback, useEffect, useState, type FormEvent, type ReactElement } from "react";
import { Link } from "wouter";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { PushToggle } from "./PushToggle";
import { LoadStatus } from "../../ui/LoadStatus";
import { p } from "./preferencesMessages";
import "./notifications.css";

type Preferences = Schemas["Preferences"];
type Key = Parameters<ReturnType<typeof p.use>>[0];

export function PreferencesScreen(): ReactElement {
  const t = p.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [choices, setChoices] = useState<Record<string, Record<string, boolean>>>({});
  const [quietOn, setQuietOn] = useState(false);
  const [from, setFrom] = useState("22:00");
  const [to, setTo] = useState("08:00");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  const shown = useCallback((found: Preferences) => {
    setPrefs(found);
    setChoices(found.choices);
    setQuietOn(Boolean(found.quiet_hours));
    if (found.quiet_hours) {
      setFrom(found.quiet_hours.start);
      setTo(found.quiet_hours.end);
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/notifications/preferences", { signal: controller.signal }))
      .then((found) => {
        shown(found);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [tick, lang, shown]);

  function toggle(kind: string, channel: string, on: boolean): void {
    setChoices((c) => ({ ...c, [kind]: { ...c[kind], [channel]: on } }));
  }

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!prefs) return;
    setBusy(true);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Moscow";
    try {
      const saved = await ok(
        api.PUT("/api/v1/notifications/preferences", {
          body: {
            choices: Object.fromEntries(
              prefs.kinds.map((k) => [
                k,
                Object.fromEntries(
                  prefs.channels.filter((c) => !(prefs.locked[k] ?? []).includes(c)).map((c) => [c, Boolean(choices[k]?.[c])]),
                ),
              ]),
            ),
            quiet_hours: quietOn ? { start: from, end: to, timezone: zone } : null,
          },
        }),
      );
      shown(saved);
      toast(t("prefs.saved"), "info");
    } catch (err) {
      toast(errorText(err, tc), "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="prefs-title">
      <div className="toolbar">
        <h1 id="prefs-title" className="view-title">
          {t("prefs.title")}
        </h1>
        <Link href="/notifications">{t("prefs.back")}</Link>
      </div>
      <LoadStatus error={error} loaded={Boolean(prefs)} onRetry={reload} />
      {/* This device's pushes (a subscription per browser), apart from the per-kind choices. */}
      <div className="pad">
        <PushToggle />
      </div>
      {prefs ? (
        <form className="prefs pad" onSubmit={(e) => void save(e)}>
          <div className="prefs-scroll">
            <table>
              <caption>{t("prefs.table")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("prefs.kind")}</th>
                  {prefs.channels.map((c) => (
                    <th scope="col" key={c}>
                      {t(`channel.${c}` as Key)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {prefs.kinds.map((k) => (
                  <tr key={k} data-kind={k}>
                    <th scope="row">{t(`kind.${k}` as Key)}</th>
                    {prefs.channels.map((c) => {
                      const locked = (prefs.locked[k] ?? []).includes(c);
                      const label = `${t(`kind.${k}` as Key)}: ${t(`channel.${c}` as Key)}`;
                      return (
                        <td key={c}>
                          {/* The channel's name beside the box shows on a phone, where the
                              columns' headings are hidden (notifications.css); the box's own
                              name says kind and channel either way. */}
                          <label className="prefs-choice">
                            <input
                              type="checkbox"
                              aria-label={locked ? `${label} (${t("prefs.locked")})` : label}
                              checked={Boolean(choices[k]?.[c])}
                              disabled={locked || c === "inapp"}
                              onChange={(e) => toggle(k, c, e.target.checked)}
                            />
                            <span className="prefs-channel" aria-hidden="true">
                              {t(`channel.${c}` as Key)}
                            </span>
                          </label>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <fieldset>
            <legend>{t("prefs.quiet")}</legend>
            <label className="row">
              <input type="checkbox" checked={quietOn} onChange={(e) => setQuietOn(e.target.checked)} />
              {t("prefs.quiet_on")}
            </label>
            <div className="row wrap">
              <label>
                {t("prefs.quiet_from")}{" "}
                <input type="time" value={from} disabled={!quietOn} onChange={(e) => setFrom(e.target.value)} />
              </label>
              <label>
                {t("prefs.quiet_to")}{" "}
                <input type="time" value={to} disabled={!quietOn} onChange={(e) => setTo(e.target.value)} />
              </label>
            </div>
          </fieldset>
          <button type="submit" className="primary" disabled={busy}>
            {t("prefs.save")}
          </button>
        </form>
      ) : null}
    </section>
  );
}

// The shell: sign-in gate, header, hash routes (links survive a reload and need no server
// support), the offline banner and toasts. Each screen is a feature component that loads its
// own data and cleans up after itself.
import { useEffect, useState, type ReactElement } from "react";
import { Redirect, Route, Router, Switch } from "wouter";
import { ApiError, api, ok } from "../api/client";
import { session } from "../api/session";
import { SignIn } from "../features/auth/SignIn";
import { common } from "../i18n/common";
import { countUnsentWith, wipeLocalData } from "../offline/wipe";
import { live } from "../realtime/stream";
import { forgetMe, rememberedMe, useApp } from "../store/app";
import { useHashPath } from "./hashLocation";
import { queuedCount, startSending } from "../features/outbox/outbox";
import { send } from "../features/outbox/send";
import { audienceOf, homePath } from "./roles";
import { routes } from "./routes";
import { TopBar } from "./TopBar";
import { Toasts } from "./Toasts";

// A deactivated user's wipe says how much unsent work it discarded (README, "The app on a phone").
countUnsentWith(queuedCount);

/** What the sign-in form says after a deactivated user's device was wiped. */
export function deactivatedNotice(t: ReturnType<typeof common.in>, discarded: number | null): string {
  return discarded ? t("auth.deactivated_discarded", { count: discarded }) : t("auth.deactivated");
}

export function App(): ReactElement {
  const t = common.use();
  const me = useApp((s) => s.me);
  const online = useApp((s) => s.online);
  const signedIn = useApp((s) => s.signedIn);
  const signedOut = useApp((s) => s.signedOut);
  const setOnline = useApp((s) => s.setOnline);
  const lang = useApp((s) => s.lang);
  const [checking, setChecking] = useState(true);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t("app.title");
  }, [lang, t]);

  // A token from this tab's earlier page load, or else the session of the refresh cookie (a
  // new tab, a reload, a remembered sign-in): who is it? Nobody: the sign-in form.
  // Unreachable (no signal, the server down) is not signed out: a crew member's phone comes
  // up as the person it last was, on the data it keeps, and the outbox refreshes the session
  // once the network is back. Only field roles: an office PC's session ends with the browser
  // unless remembered, and its screens keep nothing to show offline.
  useEffect(() => {
    session
      .fresh()
      .then(async (token) => {
        if (token) signedIn(await ok(api.GET("/api/v1/me")));
        else forgetMe();
      })
      .catch((err: unknown) => {
        const unreachable = !(err instanceof ApiError) || err.status === 0;
        const known = rememberedMe();
        if (unreachable && known && audienceOf(known.role) === "field") {
          setOnline(false);
          signedIn(known);
        } else session.clear();
      })
      .finally(() => setChecking(false));
  }, [signedIn, setOnline]);

  // A revoked session keeps what the device holds (the offline queue waits for the next
  // sign-in); a deactivated user's device is wiped first, and the form says so.
  useEffect(
    () =>
      session.onExpired((why) => {
        const t = common.in(useApp.getState().lang); // the language of the moment
        if (why !== "deactivated") return signedOut(t("auth.session_ended"));
        live.stop();
        // The gateway drops the dead refresh cookie (best effort: offline it dies unused).
        void session.logout();
        void wipeLocalData()
          .catch(() => null)
          .then((wiped) => signedOut(deactivatedNotice(t, wiped?.discarded ?? null)));
      }),
    [signedOut],
  );

  useEffect(() => {
    const up = (): void => setOnline(true);
    const down = (): void => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, [setOnline]);

  useEffect(() => {
    if (!me) return;
    live.start(me.id);
    return () => live.stop();
  }, [me]);

  // The phone's outbox goes out when someone is signed in: now, when the network returns,
  // and every little while (iOS has no background sync to do it with the app closed).
  useEffect(() => (me ? startSending(send) : undefined), [me]);

  if (checking) return <p className="pad muted">{t("common.loading")}</p>;
  if (!me) return <SignIn />;
  return (
    <Router hook={useHashPath} searchHook={useHashPath.searchHook}>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        {t("app.skip")}
      </a>
      <TopBar />
      {online ? null : (
        <div className="offline" role="status">
          {t("app.offline")}
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <Switch>
          {routes.map(({ path, component: Screen }) => (
            <Route key={path} path={path} component={Screen} />
          ))}
          <Route path="/">
            <Redirect to={homePath(me.role)} />
          </Route>
          <Route>
            <p className="pad">{t("app.not_found")}</p>
          </Route>
        </Switch>
      </main>
      <Toasts />
    </Router>
  );
}

// The sign-in form. The token endpoint takes an OAuth2 password form (API.md, Health and auth).
// "Remember me" is off by default: office computers are shared, and without it the session's
// cookie dies with the browser. In the installed app (display-mode standalone: one person's
// phone or computer) it is on by default. Field roles are remembered whatever the box says
// (the gateway decides, gateway/domain/sessions.py `remembered`): their phones must stay signed
// in across restarts, and a lost phone is handled by deactivating the user, which wipes it.
import { useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok } from "../../api/client";
import { session } from "../../api/session";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";

export function SignIn(): ReactElement {
  const t = common.use();
  const signedIn = useApp((s) => s.signedIn);
  const notice = useApp((s) => s.signOutNotice);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const reply = await ok(
        api.POST("/api/v1/auth/token", {
          body: {
            username: String(form.get("username") ?? "").trim(),
            password: String(form.get("password") ?? ""),
            scope: "",
            remember: form.get("remember") ? "true" : "false",
          },
          bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        }),
      );
      session.set(reply.access_token, reply.expires_in);
      signedIn(await ok(api.GET("/api/v1/me")));
    } catch (err) {
      setError(
        !(err instanceof ApiError)
          ? t("error.generic")
          : err.status === 0
            ? t("error.network")
            : err.status === 401
              ? t("auth.wrong")
              : err.status === 429
                ? t("auth.too_many", { seconds: Number(err.body.retry_after) || 60 })
                : err.message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login-wrap" tabIndex={-1}>
      <form className="login panel" aria-labelledby="login-title" onSubmit={(e) => void submit(e)}>
        <h1 id="login-title">{t("auth.title")}</h1>
        <p className="muted">{t("auth.subtitle")}</p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="login-username">{t("auth.username")}</label>
        <input id="login-username" name="username" autoComplete="username" required autoCapitalize="none" spellCheck={false} autoFocus />
        <label htmlFor="login-password">{t("auth.password")}</label>
        <input id="login-password" name="password" type="password" autoComplete="current-password" required />
        <label className="remember" htmlFor="login-remember">
          <input id="login-remember" name="remember" type="checkbox" value="true" defaultChecked={installed()} />
          {t("auth.remember")}
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {t("auth.submit")}
        </button>
      </form>
    </main>
  );
}

/** Running as the installed app (from the home screen), not in a browser tab. */
function installed(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(display-mode: standalone)").matches;
}

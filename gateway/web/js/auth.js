// Login form and the current user. The token endpoint takes an OAuth2 password form.
import { api, ApiError, token } from "./api.js";
import { h, mount } from "./dom.js";
import { t } from "./i18n.js";
import { session } from "./state.js";

export async function loadMe() {
  session.user = await api("/me");
  return session.user;
}

export function logout() {
  token.clear();
  session.user = null;
}

/** Render the login form into `root`; calls `onDone()` once logged in. */
export function renderLogin(root, onDone) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const username = h("input", {
    id: "login-username", name: "username", autocomplete: "username", required: true,
    autocapitalize: "none", spellcheck: "false",
  });
  const password = h("input", {
    id: "login-password", name: "password", type: "password",
    autocomplete: "current-password", required: true,
  });
  const submit = h("button", { type: "submit", class: "primary" }, t("auth.submit"));
  const form = h(
    "form",
    { class: "login panel", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, t("auth.title")),
    h("p", { class: "muted" }, t("auth.subtitle")),
    h("label", { for: "login-username" }, t("auth.username")),
    username,
    h("label", { for: "login-password" }, t("auth.password")),
    password,
    error,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const reply = await api("/auth/token", {
        method: "POST",
        form: { username: username.value.trim(), password: password.value },
      });
      token.set(reply.access_token);
      await loadMe();
      onDone();
    } catch (err) {
      error.textContent = loginError(err);
      error.hidden = false;
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  mount(root, h("div", { class: "login-wrap" }, form));
  username.focus();
}

function loginError(err) {
  if (!(err instanceof ApiError)) return t("error.generic");
  if (err.status === 0) return t("error.network");
  if (err.status === 401) return t("auth.wrong");
  if (err.status === 429) return t("auth.too_many");
  return err.message;
}

// The one place that talks to the gateway: adds the bearer token, turns error bodies
// ({detail, code, ...}) into ApiError, and tells the app when the session has expired.

const TOKEN_KEY = "oms.token";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status; // 0 = no connection
    this.code = (body && body.code) || (status === 0 ? "network" : "error");
    this.body = body || {};
  }
}

// sessionStorage, not localStorage: the token dies with the tab, which matters on shared
// office computers and lost phones.
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export function authHeaders() {
  const value = token.get();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

/**
 * api("/orders/1", {method: "POST", json: {...}, query: {lang: "ru"}}) → parsed JSON.
 * Paths are relative to /api/v1. Throws ApiError on any non-2xx and on network failure.
 */
export async function api(path, { method = "GET", json, form, query, signal } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Accept: "application/json", ...authHeaders() };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  }
  let reply;
  try {
    reply = await fetch(url, { method, headers, body, signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, null);
  }
  const text = await reply.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!reply.ok) {
    // A 401 on anything but the login itself means the token expired or was revoked.
    if (reply.status === 401 && path !== "/auth/token") {
      token.clear();
      window.dispatchEvent(new CustomEvent("auth:expired"));
    }
    throw new ApiError(reply.status, data);
  }
  return data;
}

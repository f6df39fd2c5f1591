// The signed-in session in the browser. The access token lives minutes, in sessionStorage
// (it dies with the tab: shared office computers, lost phones); the session goes on through
// the refresh token, which the gateway keeps in an httpOnly cookie no script can read, sent
// only to /api/v1/auth/* (refresh, logout). A refresh rotates that cookie, so refreshes never
// overlap: one at a time in a tab (callers share it) and across tabs (Web Locks), else two
// tabs would present the same cookie and the second could look like a stolen one.
const TOKEN_KEY = "oms.token";
const EXPIRES_KEY = "oms.token.expires";
const REFRESH_URL = "/api/v1/auth/refresh";
const LOGOUT_URL = "/api/v1/auth/logout";
// Refresh this long before the token expires, so a request never leaves with a dying one.
const EARLY_MS = 60_000;
/** Why a session is over: it ended (logout elsewhere, expiry, revocation: sign in again, the
 * device keeps its data), or its user was deactivated (the device wipes what it keeps). */
export type Ending = "ended" | "deactivated";
/** The gateway's code for a token or refresh of a deactivated user (issue 15). */
export const USER_DEACTIVATED = "user_deactivated";
const listeners = new Set<(why: Ending) => void>();
// Told once: the requests refused after a deactivation must not turn it into a mere "ended".
let told: Ending | null = null;
let inflight: Promise<string | null> | null = null;

// The gateway asks for this header on refresh and logout: a cross-site form cannot send it.
const CSRF = { "X-CSRF": "1" };

type TokenReply = { access_token: string; expires_in?: number };

function store(token: string, expiresIn?: number): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (expiresIn) sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + expiresIn * 1000));
  else sessionStorage.removeItem(EXPIRES_KEY);
}

function forget(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
}

function expiringSoon(): boolean {
  const at = Number(sessionStorage.getItem(EXPIRES_KEY) ?? "");
  return Boolean(at) && at - Date.now() < EARLY_MS;
}

/** The `code` of an error answer, without consuming the answer itself. */
export async function codeOf(reply: Response): Promise<string | null> {
  try {
    const body = (await reply.clone().json()) as { code?: unknown };
    return typeof body.code === "string" ? body.code : null;
  } catch {
    return null;
  }
}

/** One refresh: the new token, or null when the gateway refuses (the session has ended).
 * Throws when the gateway cannot be reached: that ends nothing. */
async function refreshOnce(): Promise<string | null> {
  const reply = await fetch(REFRESH_URL, {
    method: "POST",
    headers: { ...CSRF, Accept: "application/json" },
    credentials: "same-origin",
  });
  if (reply.status === 401 || reply.status === 403) {
    forget();
    if ((await codeOf(reply)) === USER_DEACTIVATED) session.expired("deactivated");
    return null;
  }
  if (!reply.ok) throw new Error(`refresh: HTTP ${reply.status}`);
  const body = (await reply.json()) as TokenReply;
  store(body.access_token, body.expires_in);
  return body.access_token;
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  /** A new access token; `expiresIn` (seconds) from the gateway's answer, when known. */
  set(token: string, expiresIn?: number): void {
    told = null;
    store(token, expiresIn);
  },
  clear(): void {
    forget();
  },
  /** The server said the token expired: the next `fresh()` refreshes first. */
  stale(): void {
    if (sessionStorage.getItem(TOKEN_KEY)) sessionStorage.setItem(EXPIRES_KEY, "1");
  },
  /** Refresh now (single-flight): the new token, or null when the session has ended. */
  refresh(): Promise<string | null> {
    if (!inflight) {
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      const run: Promise<string | null> = locks
        ? locks.request("oms-refresh", () => refreshOnce()).then((token) => token)
        : refreshOnce();
      inflight = run.finally(() => {
        inflight = null;
      });
    }
    return inflight;
  },
  /** A token good for a while yet, refreshing first when it is about to expire or there is
   * none (a reload in a new tab, a remembered sign-in); null when there is no session. */
  async fresh(): Promise<string | null> {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token && !expiringSoon()) return token;
    try {
      return await session.refresh();
    } catch {
      return token; // offline: keep what we have; the request will say what happened
    }
  },
  /** Sign out this device, or every device of the user (`everywhere`). */
  async logout(everywhere = false): Promise<void> {
    const token = sessionStorage.getItem(TOKEN_KEY);
    forget();
    const headers: Record<string, string> = { ...CSRF, Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      const url = everywhere ? `${LOGOUT_URL}?everywhere=true` : LOGOUT_URL;
      await fetch(url, { method: "POST", headers, credentials: "same-origin" });
    } catch {
      // offline: the token is forgotten here; the session ends on the server by its expiry
    }
  },
  /** The server refused the session: forget it and tell whoever shows the sign-in screen
   * why (a deactivation, once told, is not downgraded by the requests refused after it). */
  expired(why: Ending = "ended"): void {
    forget();
    if (told === "deactivated") return;
    told = why;
    for (const listener of listeners) listener(why);
  },
  onExpired(listener: (why: Ending) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

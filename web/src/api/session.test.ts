// The browser side of a session: one refresh at a time (parallel callers share it), a
// refresh shortly before the token expires, a refused refresh ends the session, and a request
// refused with 401 is sent once more after a refresh.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { session } from "./session";

type Call = { url: string; init?: RequestInit | undefined };

function gateway(answers: Array<() => Response>): { calls: Call[]; fetcher: typeof fetch } {
  const calls: Call[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push({ url, init: input instanceof Request ? { headers: input.headers } : init });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected call to ${url}`);
    return answer();
  }) as typeof fetch;
  return { calls, fetcher };
}

const token = (value: string, expiresIn = 600): (() => Response) => () =>
  Response.json({ access_token: value, token_type: "bearer", expires_in: expiresIn });

describe("session", () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => vi.unstubAllGlobals());

  it("shares one refresh among parallel callers, with the CSRF header", async () => {
    const { calls, fetcher } = gateway([token("t2")]);
    vi.stubGlobal("fetch", fetcher);
    const got = await Promise.all([session.refresh(), session.refresh(), session.fresh()]);
    expect(got).toEqual(["t2", "t2", "t2"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("/api/v1/auth/refresh");
    expect(new Headers(calls[0]?.init?.headers).get("X-CSRF")).toBe("1");
    expect(session.token()).toBe("t2");
  });

  it("refreshes a token about to expire before handing it out, not a fresh one", async () => {
    const { calls, fetcher } = gateway([token("t3")]);
    vi.stubGlobal("fetch", fetcher);
    session.set("t1", 600);
    expect(await session.fresh()).toBe("t1");
    session.set("t2", 30); // less than a minute left
    expect(await session.fresh()).toBe("t3");
    expect(calls).toHaveLength(1);
  });

  it("a refused refresh ends the session; an unreachable gateway does not", async () => {
    const { fetcher } = gateway([() => Response.json({ code: "session_ended" }, { status: 401 })]);
    vi.stubGlobal("fetch", fetcher);
    session.set("t1", 1);
    expect(await session.refresh()).toBeNull();
    expect(session.token()).toBeNull();

    vi.stubGlobal("fetch", (async () => {
      throw new TypeError("offline");
    }) as typeof fetch);
    session.set("t4", 1);
    expect(await session.fresh()).toBe("t4"); // kept: nothing said the session ended
  });

  it("logout sends the bearer and the CSRF header, and forgets the token at once", async () => {
    const { calls, fetcher } = gateway([() => Response.json({ sessions_ended: 2 })]);
    vi.stubGlobal("fetch", fetcher);
    session.set("t1", 600);
    await session.logout(true);
    expect(session.token()).toBeNull();
    expect(calls[0]?.url).toBe("/api/v1/auth/logout?everywhere=true");
    const headers = new Headers(calls[0]?.init?.headers);
    expect(headers.get("Authorization")).toBe("Bearer t1");
    expect(headers.get("X-CSRF")).toBe("1");
  });
});

describe("the API client", () => {
  beforeEach(() => {
    sessionStorage.clear();
    vi.resetModules();
  });
  afterEach(() => vi.unstubAllGlobals());

  it("sends a request refused with 401 once more after one refresh", async () => {
    const { calls, fetcher } = gateway([
      () => Response.json({ detail: "expired", code: "unauthenticated" }, { status: 401 }),
      token("t2"),
      () => Response.json({ id: "u1", username: "m", display_name: "M", role: "manager" }),
    ]);
    vi.stubGlobal("fetch", fetcher);
    const { session: fresh } = await import("./session");
    const { api, ok } = await import("./client");
    fresh.set("t1", 600);
    const me = await ok(api.GET("/api/v1/me"));
    expect(me.username).toBe("m");
    expect(calls.map((c) => new URL(c.url, location.origin).pathname)).toEqual([
      "/api/v1/me",
      "/api/v1/auth/refresh",
      "/api/v1/me",
    ]);
    expect(new Headers(calls[2]?.init?.headers).get("Authorization")).toBe("Bearer t2");
  });

  it("a refused refresh after a 401 asks to sign in", async () => {
    const { fetcher } = gateway([
      () => Response.json({ detail: "ended", code: "session_ended" }, { status: 401 }),
      () => Response.json({ detail: "ended", code: "session_ended" }, { status: 401 }),
    ]);
    vi.stubGlobal("fetch", fetcher);
    const { session: fresh } = await import("./session");
    const { api, ok } = await import("./client");
    fresh.set("t1", 600);
    let expired = 0;
    fresh.onExpired(() => expired++);
    await expect(ok(api.GET("/api/v1/me"))).rejects.toMatchObject({ status: 401 });
    expect(expired).toBe(1);
  });

  it("a request refused for a deactivated user says so at once, without a refresh", async () => {
    const { calls, fetcher } = gateway([
      () => Response.json({ detail: "deactivated", code: "user_deactivated" }, { status: 401 }),
    ]);
    vi.stubGlobal("fetch", fetcher);
    const { session: fresh } = await import("./session");
    const { api, ok } = await import("./client");
    fresh.set("t1", 600);
    const told: string[] = [];
    fresh.onExpired((why) => told.push(why));
    await expect(ok(api.GET("/api/v1/me"))).rejects.toMatchObject({ status: 401, code: "user_deactivated" });
    // A second request refused meanwhile does not turn the deactivation into a mere "ended".
    fresh.expired();
    expect(told).toEqual(["deactivated"]);
    expect(calls).toHaveLength(1);
    expect(fresh.token()).toBeNull();
  });

  it("a refresh refused for a deactivated user tells the app to wipe; a revoked one does not", async () => {
    const { fetcher } = gateway([
      () => Response.json({ detail: "ended", code: "session_ended" }, { status: 401 }),
      () => Response.json({ detail: "deactivated", code: "user_deactivated" }, { status: 401 }),
    ]);
    vi.stubGlobal("fetch", fetcher);
    const { session: fresh } = await import("./session");
    const told: string[] = [];
    fresh.onExpired((why) => told.push(why));
    expect(await fresh.refresh()).toBeNull(); // revoked: the caller decides (asks to sign in)
    expect(told).toEqual([]);
    expect(await fresh.refresh()).toBeNull();
    expect(told).toEqual(["deactivated"]);
  });

  it("at start-up a new tab with no token signs in silently through the refresh cookie", async () => {
    const { calls, fetcher } = gateway([token("t9")]);
    vi.stubGlobal("fetch", fetcher);
    const { session: fresh } = await import("./session");
    expect(fresh.token()).toBeNull(); // a restarted app: sessionStorage is empty
    expect(await fresh.fresh()).toBe("t9");
    expect(calls[0]?.url).toBe("/api/v1/auth/refresh");
  });
});

// The one place that talks to the gateway. The client is typed from the gateway's OpenAPI
// (contracts/api/openapi.json → schema.d.ts, generated at build time, never committed), so a
// renamed field or route is a compile error here, not a blank card in production.
import createClient, { type Middleware } from "openapi-fetch";
import { fieldPath } from "./fieldPath";
import type { components, paths } from "./schema";
import { codeOf, session, USER_DEACTIVATED } from "./session";

export type Schemas = components["schemas"];

/** An error body from the gateway ({detail, code, ...}) or a lost connection (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: unknown) {
    const data = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    const detail = typeof data.detail === "string" ? data.detail : `HTTP ${status}`;
    super(status === 0 ? "network" : detail);
    this.status = status;
    this.code = typeof data.code === "string" ? data.code : status === 0 ? "network" : "error";
    this.body = data;
  }

  /** Per-field messages of a 422 (`errors: [{loc, msg}]`), keyed by fieldPath
   * (`customer.phone`), so a form shows each message under its own field. */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {};
    const errors = this.body.errors;
    if (Array.isArray(errors)) {
      for (const e of errors as { loc?: unknown[]; msg?: string }[]) {
        const key = fieldPath(e.loc ?? []);
        if (key && e.msg && !out[key]) out[key] = e.msg;
      }
    }
    return out;
  }
}

const isAuthRoute = (url: string): boolean => new URL(url, location.origin).pathname.startsWith("/api/v1/auth/");
// Each request's untouched copy, to send once more after a refresh (a body is read once).
const copies = new WeakMap<Request, Request>();

const auth: Middleware = {
  async onRequest({ request }) {
    request.headers.set("Accept", "application/json");
    if (isAuthRoute(request.url)) return request;
    // Shortly before the token expires, refresh first (one refresh for all waiting requests).
    const token = await session.fresh();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    copies.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || isAuthRoute(request.url)) return response;
    // The user was deactivated: no refresh can help; the app wipes this device (issue 15).
    if ((await codeOf(response)) === USER_DEACTIVATED) {
      session.expired("deactivated");
      return response;
    }
    // The token expired or its session ended: one refresh, then the request once more; a
    // refused refresh (or a second 401) sends the user to sign in.
    const copy = copies.get(request);
    const token = await session.refresh().catch(() => null);
    if (!token || !copy) {
      session.expired();
      return response;
    }
    copy.headers.set("Authorization", `Bearer ${token}`);
    const again = await fetch(copy);
    if (again.status === 401) {
      session.expired((await codeOf(again)) === USER_DEACTIVATED ? "deactivated" : "ended");
    }
    return again;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

type Reply<T> = { data?: T; error?: unknown; response: Response };

/** The caller's own abort (a closed form or screen cancelling its fetch): `ok` passes it on
 * untouched, and nobody needs to be told of it. */
export const isAbort = (err: unknown): boolean => err instanceof DOMException && err.name === "AbortError";

/** Await an openapi-fetch call: its data, or an ApiError (status 0 when the network failed). */
export async function ok<T>(call: Promise<Reply<T>>): Promise<T> {
  return (await okWithStatus(call)).data;
}

/** `ok`, with the success's status too, for a call whose 200 and 202 mean different things. */
export async function okWithStatus<T>(call: Promise<Reply<T>>): Promise<{ status: number; data: T }> {
  let reply: Reply<T>;
  try {
    reply = await call;
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, null);
  }
  if (!reply.response.ok) throw new ApiError(reply.response.status, reply.error);
  return { status: reply.response.status, data: reply.data as T };
}

// The one place that talks to the gateway. The client is typed from the gateway's OpenAPI
// (contracts/api/openapi.json → schema.d.ts, generated at build time, never committed), so a
// renamed field or route is a compile error here, not a blank card in production.
import createClient, { type Middleware } from "openapi-fetch";
import { fieldPath } from "./fieldPath";
import type { components, paths } from "./schema";
import { session } from "./session";

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

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    request.headers.set("Accept", "application/json");
    return request;
  },
  onResponse({ request, response }) {
    // A 401 on anything but the sign-in itself: the token expired or was revoked.
    if (response.status === 401 && !request.url.endsWith("/api/v1/auth/token")) session.expired();
    return response;
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
  let reply: Reply<T>;
  try {
    reply = await call;
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, null);
  }
  if (!reply.response.ok) throw new ApiError(reply.response.status, reply.error);
  return reply.data as T;
}

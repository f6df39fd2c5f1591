// A check-in or check-out as data: what the offline queue keeps and sends later (the lead
// wires `send` to it). The Idempotency-Key is made once per act, when the worker taps, so a
// send repeated after a lost answer records nothing twice; `at` is the tap's time, so a
// check-in sent an hour later still says when the worker arrived.
import { api, ok, type Schemas } from "../../api/client";

export type Act = "check-in" | "check-out";
export type OnSiteRequest = {
  visitId: string;
  act: Act;
  idempotencyKey: string;
  body: Schemas["OnSiteRequest"];
};
export type OnSite = Schemas["OnSite"];
/** Resolves with the server's answer, or with `null` when the request was queued. */
export type Send = (request: OnSiteRequest) => Promise<OnSite | null>;

export function onSiteRequest(
  visitId: string,
  act: Act,
  fix: { lat: number; lon: number; accuracy_m?: number },
  now: Date = new Date(),
  key: string = crypto.randomUUID(),
): OnSiteRequest {
  const accuracy = fix.accuracy_m !== undefined && Number.isFinite(fix.accuracy_m) ? Math.min(fix.accuracy_m, 100_000) : undefined;
  return {
    visitId,
    act,
    idempotencyKey: key,
    body: { lat: fix.lat, lon: fix.lon, ...(accuracy !== undefined ? { accuracy_m: accuracy } : {}), at: now.toISOString() },
  };
}

/** The default: straight to the API. */
export const sendNow: Send = (request) => {
  const init = {
    params: { path: { visit_id: request.visitId }, header: { "idempotency-key": request.idempotencyKey } },
    body: request.body,
  };
  return request.act === "check-in"
    ? ok(api.POST("/api/v1/visits/{visit_id}/check-in", init))
    : ok(api.POST("/api/v1/visits/{visit_id}/check-out", init));
};

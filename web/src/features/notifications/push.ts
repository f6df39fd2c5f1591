// Web Push on this device: after the person agrees (a button, never on page load), ask the
// browser's permission, subscribe the service worker's PushManager with the server's VAPID
// key and give the server the subscription (its endpoint and keys); turning it off removes
// both. The service worker (sw.ts) shows what arrives. The browser's APIs and the server's
// routes come in as `PushDeps`, so the flow is tested with a mocked PushManager.
import { ApiError, api, ok } from "../../api/client";

export type PushState = "on" | "off" | "denied" | "unsupported" | "no_worker";
export type PushProblem = "denied" | "unsupported" | "no_worker" | "not_configured" | "failed";
export type PushResult = { ok: true } | { ok: false; problem: PushProblem };

export interface PushDeps {
  /** The Notification API's permission, or null where the browser has no notifications. */
  permission(): NotificationPermission | null;
  requestPermission(): Promise<NotificationPermission>;
  /** The service worker's registration once active; null when no worker is registered. */
  registration(): Promise<ServiceWorkerRegistration | null>;
  vapidKey(): Promise<string>;
  save(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<void>;
  remove(endpoint: string): Promise<void>;
}

// How long to wait for an installed worker to become active (`ready` never settles if none).
const READY_TIMEOUT_MS = 10_000;

async function activeRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return null;
  const registered = await navigator.serviceWorker.getRegistration();
  if (!registered) return null;
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), READY_TIMEOUT_MS));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

export const browserPush: PushDeps = {
  permission: () => (typeof Notification === "undefined" ? null : Notification.permission),
  requestPermission: () => Notification.requestPermission(),
  registration: activeRegistration,
  vapidKey: async () => (await ok(api.GET("/api/v1/push/vapid-public-key"))).public_key,
  save: async (subscription) => {
    await ok(api.POST("/api/v1/push/subscriptions", { body: subscription }));
  },
  remove: async (endpoint) => {
    try {
      await ok(api.DELETE("/api/v1/push/subscriptions", { body: { endpoint } }));
    } catch (err) {
      // Already gone on the server (dropped after a 410, or removed on another tab): fine.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  },
};

/** A VAPID key (URL-safe base64) as the bytes `applicationServerKey` takes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const raw = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Only what the server takes: `toJSON()` also carries `expirationTime`. */
function forServer(subscription: PushSubscription): { endpoint: string; keys: { p256dh: string; auth: string } } {
  const json = subscription.toJSON();
  const keys = json.keys ?? {};
  if (!json.endpoint || !keys.p256dh || !keys.auth) throw new Error("a subscription without keys");
  return { endpoint: json.endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

export async function pushState(deps: PushDeps = browserPush): Promise<PushState> {
  const permission = deps.permission();
  if (permission === null) return "unsupported";
  if (permission === "denied") return "denied";
  const registration = await deps.registration();
  if (!registration) return "no_worker";
  if (!("pushManager" in registration)) return "unsupported";
  const existing = await registration.pushManager.getSubscription();
  return existing && permission === "granted" ? "on" : "off";
}

export async function enablePush(deps: PushDeps = browserPush): Promise<PushResult> {
  if (deps.permission() === null) return { ok: false, problem: "unsupported" };
  const registration = await deps.registration();
  if (!registration) return { ok: false, problem: "no_worker" };
  if (!("pushManager" in registration)) return { ok: false, problem: "unsupported" };
  if ((await deps.requestPermission()) !== "granted") return { ok: false, problem: "denied" };
  try {
    const key = keyBytes(await deps.vapidKey());
    const options = { userVisibleOnly: true, applicationServerKey: key };
    let subscription: PushSubscription;
    try {
      subscription = await registration.pushManager.subscribe(options);
    } catch (err) {
      // Subscribed before with another server key (the key was replaced): start over.
      if (!(err instanceof DOMException && err.name === "InvalidStateError")) throw err;
      await (await registration.pushManager.getSubscription())?.unsubscribe();
      subscription = await registration.pushManager.subscribe(options);
    }
    await deps.save(forServer(subscription));
    return { ok: true };
  } catch (err) {
    if (err instanceof ApiError && err.code === "channel_not_configured") {
      return { ok: false, problem: "not_configured" };
    }
    return { ok: false, problem: "failed" };
  }
}

export async function disablePush(deps: PushDeps = browserPush): Promise<PushResult> {
  const registration = await deps.registration();
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  if (!subscription) return { ok: true };
  try {
    await deps.remove(subscription.endpoint);
    await subscription.unsubscribe();
    return { ok: true };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

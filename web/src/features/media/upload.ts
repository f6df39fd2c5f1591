// One file to an order, in the three steps of API.md (Media): ask for a presigned URL, PUT
// the bytes there, ask the server to verify them. Made for a weak mobile connection: the PUT
// is retried with backoff and waits for the network to come back; an expired URL is renewed
// once (the same client_key gets the same media id and a fresh URL); a busy media service
// (503 media_busy) is asked again after its Retry-After. The order card's upload form and the
// new-order dialog's files both go this way.
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { UploadFailure, retryAfter } from "./errors";
import { contentTypeOf, kindFor, uploadBody, type Allowed, type MediaKind } from "./kinds";

export type MediaItem = Schemas["MediaItem"];
export type Step =
  | { step: "requesting" }
  | { step: "uploading"; pct: number }
  | { step: "waiting_network" }
  | { step: "retrying"; n: number; max: number; s: number }
  | { step: "checking" }
  | { step: "busy"; s: number };

const PUT_ATTEMPTS = 6;
const COMPLETE_ATTEMPTS = 6;
const PUT_TIMEOUT_MS = 5 * 60 * 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function newClientKey(): string {
  // randomUUID exists only in secure contexts; an office LAN over plain HTTP is not one.
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export async function uploadFile(
  orderId: string,
  file: File,
  purpose: string,
  allowed: Allowed,
  onStep: (step: Step) => void,
  opts?: { clientKey?: string }, // the phone outbox's stable key: a retry meets the same item
): Promise<MediaItem> {
  const contentType = contentTypeOf(file);
  const kind = kindFor(allowed, purpose, contentType);
  if (!kind) throw new UploadFailure("wrong_type", { purpose });
  return uploadAs(orderId, file, kind, purpose, contentType, onStep, opts);
}

/**
 * A file attached as a document whatever it is (the new-order dialog's requirements, drafts,
 * calculations: a photo of a sketch is a document there), with no table of purposes asked
 * first: a type the server does not take is sent as it is, and its refusal says why.
 */
export function uploadDocument(
  orderId: string,
  file: File,
  purpose: string,
  onStep: (step: Step) => void = () => undefined,
): Promise<MediaItem> {
  return uploadAs(orderId, file, "document", purpose, contentTypeOf(file), onStep);
}

async function uploadAs(
  orderId: string,
  file: File,
  kind: MediaKind,
  purpose: string,
  contentType: string,
  onStep: (step: Step) => void,
  opts?: { clientKey?: string }, // the phone outbox's stable key: a retry meets the same item
): Promise<MediaItem> {
  const body = uploadBody(file, kind, purpose, contentType, opts?.clientKey ?? newClientKey());
  for (let round = 0; round < 2; round += 1) {
    onStep({ step: "requesting" });
    const slot = await ok(api.POST("/api/v1/orders/{order_id}/media", { params: { path: { order_id: orderId } }, body }));
    const put = await putWithRetry(slot.upload_url, file, contentType, onStep);
    // A presigned URL lives ~15 minutes; on a very slow link it can expire mid-way.
    if (put === "expired") continue;
    return completeWhenFree(slot.media_id, onStep);
  }
  throw new UploadFailure("expired");
}

async function completeWhenFree(mediaId: string, onStep: (step: Step) => void): Promise<MediaItem> {
  for (let attempt = 1; ; attempt += 1) {
    onStep({ step: "checking" });
    try {
      return await ok(api.POST("/api/v1/media/{media_id}/complete", { params: { path: { media_id: mediaId } } }));
    } catch (err) {
      const busy = err instanceof ApiError && err.status === 503;
      if (!busy || attempt >= COMPLETE_ATTEMPTS) throw err;
      const s = retryAfter(err);
      onStep({ step: "busy", s });
      await sleep(s * 1000);
    }
  }
}

/** PUT with retries: network errors, timeouts, 408/429 and 5xx are retried with backoff;
 * while the phone is offline we wait for the "online" event instead of burning attempts. */
async function putWithRetry(
  url: string,
  file: File,
  contentType: string,
  onStep: (step: Step) => void,
): Promise<"ok" | "expired"> {
  for (let attempt = 1; ; attempt += 1) {
    if (!navigator.onLine) {
      onStep({ step: "waiting_network" });
      await new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
    }
    onStep({ step: "uploading", pct: 0 });
    const status = await putOnce(url, file, contentType, (pct) => onStep({ step: "uploading", pct }));
    if (status >= 200 && status < 300) return "ok";
    if (status === 403) return "expired"; // the signature no longer holds: ask for a new URL
    const retriable = status === 0 || status === 408 || status === 429 || status >= 500;
    if (!retriable || attempt >= PUT_ATTEMPTS) throw new UploadFailure("put_failed", { status });
    const wait = Math.min(30000, 1000 * 2 ** (attempt - 1));
    onStep({ step: "retrying", n: attempt, max: PUT_ATTEMPTS - 1, s: Math.round(wait / 1000) });
    await sleep(wait);
  }
}

// XMLHttpRequest, not fetch: only XHR reports upload progress, which a user on a slow link
// needs to see so as not to give up and retake the photo. Sending the File (a Blob) sets
// Content-Length to its exact size, which the URL's signature covers.
function putOnce(url: string, file: File, contentType: string, onProgress: (pct: number) => void): Promise<number> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.timeout = PUT_TIMEOUT_MS;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => resolve(xhr.status);
    xhr.onerror = () => resolve(0);
    xhr.ontimeout = () => resolve(0);
    xhr.onabort = () => resolve(0);
    xhr.send(file);
  });
}

// One file to an order, in the steps of API.md (Media): declare it, send the bytes straight
// to object storage, ask the server to verify them. Made for a weak mobile connection:
// - A file longer than one part (the declare answer's part_size, 5 MiB) goes up in parts.
//   Before each round the server says which parts the store already holds (S3 ListParts) and
//   signs URLs for the rest, so a cut connection, a closed tab or a restarted phone resends
//   only the parts that were in flight, not the file. The server is the truth for progress:
//   nothing is kept on the phone but the client key (the caller's, e.g. the offline queue's).
// - A smaller file is one PUT (a part is stored whole or not at all, so parts would not help),
//   retried with backoff.
// Either way sending waits for the network to come back; an expired upload is declared again
// with the same client_key (the same media id, never a second copy); a busy media service
// (503 media_busy) is asked again after its Retry-After. The order card's upload form, the
// new-order dialog's files and the field app's queue all go this way.
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
// Parts sent at once: enough to fill a phone's uplink, few enough that a cut costs little.
const PARALLEL_PARTS = 3;
const PARTS_PER_ASK = 100;
const COMPLETE_ATTEMPTS = 6;
const PUT_TIMEOUT_MS = 5 * 60 * 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function newClientKey(): string {
  // randomUUID exists only in secure contexts; an office LAN over plain HTTP is not one.
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** `opts.clientKey`: the caller's id for this file (kept across restarts, e.g. by an offline
 * queue), so sending it again continues the same upload; absent, a fresh one. */
/** The phone outbox's stable key (a retry meets the same media, never a second copy), and the
 * visit a photo was taken on. */
export type UploadOptions = { clientKey?: string; visitId?: string | null };

export async function uploadFile(
  orderId: string,
  file: File,
  purpose: string,
  allowed: Allowed,
  onStep: (step: Step) => void,
  opts?: UploadOptions,
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
  opts?: UploadOptions,
): Promise<MediaItem> {
  const body = uploadBody(file, kind, purpose, contentType, opts?.clientKey ?? newClientKey(), opts?.visitId);
  for (let round = 0; round < 3; round += 1) {
    onStep({ step: "requesting" });
    let slot: Schemas["Upload"];
    try {
      slot = await ok(api.POST("/api/v1/orders/{order_id}/media", { params: { path: { order_id: orderId } }, body }));
    } catch (err) {
      // Sent before, verified, and the answer lost (a restart, a cut): that media is the file.
      const done = err instanceof ApiError && err.code === "already_ready" && typeof err.body.media_id === "string";
      if (done) return completeWhenFree(err.body.media_id as string, onStep);
      throw err;
    }
    const sent =
      slot.part_size && slot.part_count
        ? await putParts(slot.media_id, file, slot.part_size, slot.part_count, onStep)
        : await putWithRetry(slot.upload_url, file, contentType, onStep);
    // A URL lives ~15 minutes; on a very slow link the upload can expire mid-way: declare
    // it again (an upload in parts continues from what the store holds while it is open).
    if (sent === "expired") continue;
    try {
      return await completeWhenFree(slot.media_id, onStep);
    } catch (err) {
      // A part the store lost meanwhile: the next round asks which and sends it.
      if (!(err instanceof ApiError && err.code === "upload_incomplete")) throw err;
    }
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

async function onlineAgain(onStep: (step: Step) => void): Promise<void> {
  if (navigator.onLine) return;
  onStep({ step: "waiting_network" });
  await new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
}

const retriable = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * The parts the store does not hold yet, a few at once. Each round asks the server what is
 * held (and for fresh URLs: asking again renews expired ones), then sends the rest; a part
 * cut or refused is simply missing in the next round. Rounds that make no progress back off
 * and give up after PUT_ATTEMPTS of them.
 */
async function putParts(
  mediaId: string,
  file: File,
  partSize: number,
  count: number,
  onStep: (step: Step) => void,
): Promise<"ok" | "expired"> {
  const sizeOf = (n: number): number => Math.min(partSize, file.size - (n - 1) * partSize);
  const all = Array.from({ length: count }, (_, i) => i + 1);
  let stalled = 0;
  let lastStatus = 0;
  for (;;) {
    await onlineAgain(onStep);
    let answer: Schemas["Parts"];
    try {
      const wanted = all.slice(0, PARTS_PER_ASK);
      answer = await ok(
        api.POST("/api/v1/media/{media_id}/parts", { params: { path: { media_id: mediaId } }, body: { numbers: wanted } }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === "upload_expired") return "expired";
      if (!(err instanceof ApiError && retriable(err.status)) || stalled + 1 >= PUT_ATTEMPTS) throw err;
      stalled = await backOff(stalled, onStep);
      continue;
    }
    const held = new Set(answer.held.filter((p) => p.size === sizeOf(p.number)).map((p) => p.number));
    const todo = answer.parts.filter((p) => !held.has(p.number));
    const missing = all.filter((n) => !held.has(n));
    if (missing.length === 0) return "ok";
    // More parts than one answer signs: those come in a later round.
    const loaded = new Map<number, number>();
    const heldBytes = [...held].reduce((sum, n) => sum + sizeOf(n), 0);
    const report = (): void => {
      const sent = heldBytes + [...loaded.values()].reduce((a, b) => a + b, 0);
      onStep({ step: "uploading", pct: Math.min(100, Math.round((sent / file.size) * 100)) });
    };
    report();
    let stored = 0;
    const queue = [...todo];
    const lane = async (): Promise<void> => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const start = (part.number - 1) * partSize;
        const number = part.number;
        const status = await putOnce(part.upload_url, file.slice(start, start + part.size), null, (bytes) => {
          loaded.set(number, bytes);
          report();
        });
        if (status >= 200 && status < 300) {
          loaded.set(number, part.size);
          stored += 1;
        } else {
          loaded.delete(number);
          lastStatus = status;
          // 403: the URL expired (the next round's are fresh); a cut or a 5xx: sent again.
          if (status !== 403 && !retriable(status)) throw new UploadFailure("put_failed", { status });
        }
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, todo.length) }, lane));
    if (stored === todo.length && todo.length === missing.length) return "ok";
    // Rounds that store nothing (offline, a store that keeps refusing) back off, and end.
    if (stored > 0) {
      stalled = 0;
      continue;
    }
    if (stalled + 1 >= PUT_ATTEMPTS) throw new UploadFailure("put_failed", { status: lastStatus });
    stalled = await backOff(stalled, onStep);
  }
}

async function backOff(stalled: number, onStep: (step: Step) => void): Promise<number> {
  const attempt = stalled + 1;
  const wait = Math.min(30000, 1000 * 2 ** (attempt - 1));
  onStep({ step: "retrying", n: attempt, max: PUT_ATTEMPTS - 1, s: Math.round(wait / 1000) });
  await sleep(wait);
  return attempt;
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
    await onlineAgain(onStep);
    onStep({ step: "uploading", pct: 0 });
    const status = await putOnce(url, file, contentType, (bytes) =>
      onStep({ step: "uploading", pct: Math.round((bytes / Math.max(1, file.size)) * 100) }),
    );
    if (status >= 200 && status < 300) return "ok";
    if (status === 403) return "expired"; // the signature no longer holds: ask for a new URL
    if (!retriable(status) || attempt >= PUT_ATTEMPTS) throw new UploadFailure("put_failed", { status });
    const wait = Math.min(30000, 1000 * 2 ** (attempt - 1));
    onStep({ step: "retrying", n: attempt, max: PUT_ATTEMPTS - 1, s: Math.round(wait / 1000) });
    await sleep(wait);
  }
}

// XMLHttpRequest, not fetch: only XHR reports upload progress, which a user on a slow link
// needs to see so as not to give up and retake the photo. Sending a Blob (the File, or a
// slice of it for a part) sets Content-Length to its exact size, which the URL's signature
// covers. A part needs no Content-Type (the object's was set when the upload was declared).
function putOnce(url: string, blob: Blob, contentType: string | null, onProgress: (bytes: number) => void): Promise<number> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (contentType) xhr.setRequestHeader("Content-Type", contentType);
    xhr.timeout = PUT_TIMEOUT_MS;
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve(xhr.status);
    xhr.onerror = () => resolve(0);
    xhr.ontimeout = () => resolve(0);
    xhr.onabort = () => resolve(0);
    xhr.send(blob);
  });
}

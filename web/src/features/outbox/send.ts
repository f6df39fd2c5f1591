// How an outbox item reaches the server: a JSON request with its Idempotency-Key, or a photo
// through the media upload path (its key as the media client_key). Every answer becomes one
// of the outbox's outcomes: sent, try later, refused (with its reason in the user's
// language), or "sign in again" (the session has ended; nothing is lost).
import { ApiError } from "../../api/client";
import { session } from "../../api/session";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { UploadFailure, uploadErrorText } from "../media/errors";
import { m as mediaMessages } from "../media/messages";
import { uploadFile } from "../media/upload";
import { m, type OutboxKey } from "./messages";
import type { Outcome, Sender } from "./outbox";
import type { PhotoItem, RequestItem } from "./store";

const retriable = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

async function request(item: RequestItem, token: string | null): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: "application/json",
    "Content-Type": "application/json",
    "Idempotency-Key": item.key,
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(item.path, { method: item.method, headers, body: JSON.stringify(item.body ?? {}) });
}

async function bodyOf(reply: Response): Promise<unknown> {
  try {
    return await reply.json();
  } catch {
    return null;
  }
}

const KNOWN: Record<string, OutboxKey> = {
  task_not_open: "code.task_not_open",
  idempotency_key_reused: "code.idempotency_key_reused",
  invalid_results: "code.invalid_results",
};

/** The refusal in the user's language: our words for the codes the queue meets, else the
 * app's common text for the code or status. */
function refusedBy(err: ApiError): Outcome {
  const lang = useApp.getState().lang;
  const known = KNOWN[err.code] ?? (err.status === 403 ? "code.forbidden" : undefined);
  const message = known ? m.in(lang)(known) : errorText(err, common.in(lang));
  return { kind: "refused", code: err.code, message };
}

/** A JSON request; a token that expired meanwhile is refreshed once, silently. */
export async function sendRequest(item: RequestItem): Promise<Outcome> {
  let reply: Response;
  try {
    reply = await request(item, await session.fresh());
    if (reply.status === 401) {
      const token = await session.refresh(); // throws offline: try later
      if (!token) {
        session.expired();
        return { kind: "signin" };
      }
      reply = await request(item, token);
      if (reply.status === 401) {
        session.expired();
        return { kind: "signin" };
      }
    }
  } catch {
    return { kind: "retry" };
  }
  if (reply.ok) return { kind: "sent" };
  if (retriable(reply.status)) return { kind: "retry" };
  return refusedBy(new ApiError(reply.status, await bodyOf(reply)));
}

/** A photo, through uploadFile (its retries, its renewal of an expired URL). */
export async function sendPhoto(item: PhotoItem, onProgress: (pct: number) => void): Promise<Outcome> {
  if (!item.blob) return { kind: "sent", mediaId: item.mediaId };
  const file = new File([item.blob], item.filename, { type: item.contentType });
  // The server decides what this role may attach; the purpose is the visit's own work.
  const allowed = { photo: [item.purpose], document: [] };
  try {
    const media = await uploadFile(
      item.orderId,
      file,
      item.purpose,
      allowed,
      (step) => {
        if (step.step === "uploading") onProgress(step.pct);
      },
      { clientKey: item.key, visitId: item.visitId },
    );
    return { kind: "sent", mediaId: media.media_id };
  } catch (err) {
    if (err instanceof ApiError) {
      // Sent before, its answer lost: the media service has it under this key.
      if (err.code === "already_ready") return { kind: "sent", mediaId: String(err.body.media_id ?? "") };
      if (err.status === 401) return { kind: "signin" }; // the client's refresh was refused
      if (retriable(err.status)) return { kind: "retry" };
    }
    if (err instanceof UploadFailure && err.reason !== "wrong_type") {
      const status = Number(err.params.status ?? 0);
      if (err.reason === "expired" || retriable(status)) return { kind: "retry" };
    }
    const lang = useApp.getState().lang;
    const message = uploadErrorText(err, mediaMessages.in(lang), common.in(lang));
    const code = err instanceof ApiError ? err.code : err instanceof UploadFailure ? err.reason : "error";
    return { kind: "refused", code, message };
  }
}

export const send: Sender = (item, onProgress) =>
  item.type === "photo" ? sendPhoto(item, onProgress) : sendRequest(item);

// Why an upload failed, in words a person on a building site can act on. The media
// service's codes decide (API.md, Media); anything else is the app's common error text.
import { ApiError } from "../../api/client";
import { errorText } from "../../app/errors";
import type { CommonKey } from "../../i18n/common";
import type { Params, Translate } from "../../i18n/messages";
import { purposeLabel, type MediaKey } from "./messages";

/** A failure found on this side (no server answer says it). */
export class UploadFailure extends Error {
  constructor(
    readonly reason: "wrong_type" | "expired" | "put_failed",
    readonly params: Params = {},
  ) {
    super(reason);
  }
}

/** Seconds to wait before completing again, from a 503's body (the gateway passes it on). */
export function retryAfter(err: ApiError, fallback = 5): number {
  const value = err.body.retry_after;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 60) : fallback;
}

const megapixels = (pixels: unknown): string =>
  typeof pixels === "number" ? String(Math.floor(pixels / 1e6)) : "50";

export function uploadErrorText(err: unknown, t: Translate<MediaKey>, tc: Translate<CommonKey>): string {
  if (err instanceof UploadFailure) {
    if (err.reason === "wrong_type") return t("media.wrong_type", { purpose: purposeLabel(String(err.params.purpose), t) });
    if (err.reason === "expired") return t("media.expired");
    const status = err.params.status;
    return t("media.put_failed", { status: status ? String(status) : t("media.no_connection") });
  }
  if (!(err instanceof ApiError)) return tc("error.generic");
  switch (err.code) {
    case "purpose_not_allowed":
      return t("media.purpose_not_allowed", { purpose: purposeLabel(String(err.body.purpose ?? ""), t) });
    case "too_large":
      return t("media.too_large");
    case "too_many_pixels":
      return t("media.too_many_pixels", { max: megapixels(err.body.max_pixels) });
    case "not_an_image":
      return t("media.not_an_image");
    case "content_mismatch":
      return t("media.content_mismatch");
    case "content_type_not_allowed":
      return t("media.type_not_allowed");
    case "size_mismatch":
    case "upload_missing":
    case "upload_expired":
    case "upload_rejected":
    case "upload_incomplete":
      return t("media.incomplete");
    case "invalid_filename":
      return t("media.bad_name");
    case "media_busy":
      return t("media.busy", { s: retryAfter(err) });
    // The object store failed or is full (503 with Retry-After): the upload stays pending
    // and the same completion succeeds later; nothing about the file is wrong.
    case "storage_full":
      return t("media.storage_full");
    case "storage_unavailable":
      return t("media.storage_unavailable", { s: retryAfter(err) });
    default:
      break;
  }
  if (err.status === 413) return t("media.too_large");
  return errorText(err, tc);
}

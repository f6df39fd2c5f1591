// Human text for an API error: the stable `code` decides; otherwise the server's own message
// (it says what is wrong with the input, e.g. which field), and a generic line as a last resort.
import { ApiError } from "../api/client";
import type { Translate } from "../i18n/messages";
import type { CommonKey } from "../i18n/common";

const BY_CODE: Record<string, CommonKey> = {
  network: "error.network",
  version_conflict: "error.version_conflict",
  transition_not_allowed: "error.transition_not_allowed",
  reason_required: "error.reason_required",
  forbidden: "error.forbidden",
  too_large: "error.too_large",
  wrong_stage: "error.wrong_stage",
  order_closed: "error.order_closed",
  slot_taken: "error.slot_taken",
  media_busy: "error.service_busy",
};

export function errorText(err: unknown, t: Translate<CommonKey>): string {
  if (!(err instanceof ApiError)) return t("error.generic");
  const key = BY_CODE[err.code];
  if (key) return t(key);
  if (err.status === 403) return t("error.forbidden");
  if (err.status === 404) return t("error.not_found");
  if (err.status === 503) return t("error.service_busy");
  if (err.status >= 500) return t("error.server");
  return err.message || t("error.generic");
}

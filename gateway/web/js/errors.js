// Human messages for API errors; the stable `code` decides, the server's detail is a fallback.
import { ApiError } from "./api.js";
import { toast } from "./dom.js";
import { t } from "./i18n.js";

export function errorText(err) {
  if (!(err instanceof ApiError)) return t("error.generic");
  switch (err.code) {
    case "network": return t("error.network");
    case "version_conflict": return t("error.version_conflict");
    case "transition_not_allowed": return t("error.transition_not_allowed");
    case "reason_required": return t("error.reason_required");
    case "forbidden": return t("error.forbidden");
    case "too_large": return t("error.too_large");
    case "wrong_stage": return t("error.wrong_stage");
    case "order_closed": return t("error.order_closed");
    default: break;
  }
  if (err.status === 403) return t("error.forbidden");
  if (err.status === 404) return t("error.not_found");
  if (err.status >= 500) return t("error.server");
  return err.message || t("error.generic");
}

/** The message for `err`; with `asToast`, also shown at the bottom of the screen. */
export function showError(err, asToast = false) {
  const text = errorText(err);
  if (asToast) toast(text, "error");
  return text;
}

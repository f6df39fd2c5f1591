// Dates and durations in the user's language. Times from the API carry an offset; showing
// them in the device's zone is what a field worker expects on their phone.
import { currentLang, t } from "./i18n.js";

const locale = () => (currentLang() === "ru" ? "ru-RU" : "en-GB");

export function dateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(locale(), {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

/** "3 д 4 ч" / "3 d 4 h": how long an order has been in its stage. */
export function since(iso, now = Date.now()) {
  if (!iso) return "";
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return t("time.days_hours", { d: days, h: hours });
  if (hours > 0) return t("time.hours_minutes", { h: hours, m: minutes % 60 });
  return t("time.minutes", { m: minutes });
}

export function bytes(size) {
  if (!Number.isFinite(size)) return "";
  if (size < 1024) return t("size.bytes", { n: size });
  if (size < 1024 * 1024) return t("size.kb", { n: Math.round(size / 1024) });
  return t("size.mb", { n: (size / 1024 / 1024).toFixed(1) });
}

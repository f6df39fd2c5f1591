// Dates, durations and sizes in the user's language. Times from the API carry an offset;
// they are shown in the device's zone, which is what a field worker expects on their phone.
// Pure (the language and "now" are arguments), so the tests pin them.
import { defineMessages } from "../../i18n/messages";
import type { Lang } from "../../store/app";

const m = defineMessages(
  {
    "time.days_hours": "{d} д {h} ч",
    "time.hours_minutes": "{h} ч {m} мин",
    "time.minutes": "{m} мин",
    "size.bytes": "{n} Б",
    "size.kb": "{n} КБ",
    "size.mb": "{n} МБ",
  },
  {
    "time.days_hours": "{d} d {h} h",
    "time.hours_minutes": "{h} h {m} min",
    "time.minutes": "{m} min",
    "size.bytes": "{n} B",
    "size.kb": "{n} KB",
    "size.mb": "{n} MB",
  },
);

export const locale = (lang: Lang): string => (lang === "ru" ? "ru-RU" : "en-GB");

/** "30.11.2026, 14:05"; `timeZone` is for tests (the device's zone otherwise). */
export function dateTime(iso: string | null | undefined, lang: Lang, timeZone?: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(locale(lang), {
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  });
}

/** "14:05": a time of day, for a list already grouped by day. */
export function timeOfDay(iso: string | null | undefined, lang: Lang, timeZone?: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString(locale(lang), {
    hour: "2-digit",
    minute: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  });
}

/** "3 д 4 ч" / "3 d 4 h": how long an order has been in its stage. */
export function since(iso: string | null | undefined, lang: Lang, now: number = Date.now()): string {
  if (!iso) return "";
  const start = new Date(iso).getTime();
  if (Number.isNaN(start)) return "";
  const t = m.in(lang);
  const minutes = Math.max(0, Math.floor((now - start) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return t("time.days_hours", { d: days, h: hours });
  if (hours > 0) return t("time.hours_minutes", { h: hours, m: minutes % 60 });
  return t("time.minutes", { m: minutes });
}

/** "512 Б", "34 КБ", "2.5 МБ". */
export function bytes(size: number | null | undefined, lang: Lang): string {
  if (typeof size !== "number" || !Number.isFinite(size)) return "";
  const t = m.in(lang);
  if (size < 1024) return t("size.bytes", { n: size });
  if (size < 1024 * 1024) return t("size.kb", { n: Math.round(size / 1024) });
  const mb = (size / 1024 / 1024).toFixed(1);
  return t("size.mb", { n: lang === "ru" ? mb.replace(".", ",") : mb });
}

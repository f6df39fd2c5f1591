// How long an order has sat in its stage ("3 д 4 ч"), and when its next visit is.
import type { Lang } from "../../store/app";

export type DurationWords = { daysHours: string; hoursMinutes: string; minutes: string };

function fill(text: string, params: Record<string, number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** "3 д 4 ч" for 3 days 4 hours, "5 ч 10 мин" under a day, "7 мин" under an hour; "" unknown. */
export function timeInStage(since: string | null | undefined, now: number, words: DurationWords): string {
  if (!since) return "";
  const at = new Date(since).getTime();
  if (Number.isNaN(at)) return "";
  const minutes = Math.max(0, Math.floor((now - at) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return fill(words.daysHours, { d: days, h: hours });
  if (hours > 0) return fill(words.hoursMinutes, { h: hours, m: minutes % 60 });
  return fill(words.minutes, { m: minutes });
}

/** A visit's start in the device's zone: "пт, 12.03, 10:00". */
export function visitWhen(iso: string, lang: Lang): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(lang === "en" ? "en-GB" : "ru-RU", {
    weekday: "short",
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

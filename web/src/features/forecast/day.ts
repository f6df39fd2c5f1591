// Calendar days (YYYY-MM-DD from the API) in the user's language. A day is not a moment: it
// is formatted as written, in UTC, so no device zone can shift it to the day before.
import type { Lang } from "../../store/app";

function parse(day: string | null | undefined): Date | null {
  const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? "");
  if (!found) return null;
  return new Date(Date.UTC(Number(found[1]), Number(found[2]) - 1, Number(found[3])));
}

/** "12.12" / "12 Dec": short, for a flag on a card. */
export function shortDay(day: string | null | undefined, lang: Lang): string {
  const d = parse(day);
  if (!d) return day ?? "";
  return lang === "ru"
    ? d.toLocaleDateString("ru-RU", { day: "2-digit", month: "2-digit", timeZone: "UTC" })
    : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** "12.12.2026" / "12 Dec 2026". */
export function fullDay(day: string | null | undefined, lang: Lang): string {
  const d = parse(day);
  if (!d) return day ?? "";
  return lang === "ru"
    ? d.toLocaleDateString("ru-RU", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" })
    : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

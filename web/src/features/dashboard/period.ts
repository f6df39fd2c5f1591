// The dashboard's period: a preset (this week, this month, the last 30 days) or a custom
// from/to, kept in the hash query (`#/dashboard?period=month`, `?from=2026-11-01&to=2026-11-15`)
// so a reload or a shared link shows the same figures. Days are calendar days (YYYY-MM-DD):
// the reports take a day whole in the company's time zone, as a director picking days means it.

export type Preset = "week" | "month" | "30d" | "custom";
export const PRESETS: readonly Preset[] = ["week", "month", "30d", "custom"];
export const DEFAULT_PRESET: Preset = "30d";

export type Period = { preset: Preset; from: string; to: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const pad = (n: number): string => String(n).padStart(2, "0");

// The reports take a day whole in the company's time zone (services/projections/domain/
// reports.py, COMPANY_TZ), so "today" is the company's too: just after midnight in Moscow a
// device still in yesterday (UTC, a trip) would otherwise ask for a period ending before now.
export const COMPANY_TZ = "Europe/Moscow";

/** Today's calendar day in `timeZone`, as a local Date at noon of that day (the presets
 * count days on it; noon keeps a daylight-saving shift from moving it to another day). */
export function companyToday(now: Date = new Date(), timeZone: string = COMPANY_TZ): Date {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(now)
    .reduce<Record<string, number>>((acc, part) => ({ ...acc, [part.type]: Number(part.value) }), {});
  return new Date(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, 12);
}

/** The calendar day of `at` on this device: "2026-11-30". */
export function dayOf(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

function shifted(at: Date, days: number): Date {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate() + days);
}

/** A real day, written as the API takes it ("2026-02-30" is not one). */
export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  const at = new Date(y, m - 1, d);
  return at.getFullYear() === y && at.getMonth() === m - 1 && at.getDate() === d;
}

/** A preset's days up to and including today: the week from its Monday, the month from its
 * 1st, or the 30 days ending today (the reports' own default). */
export function presetRange(preset: Exclude<Preset, "custom">, today: Date): { from: string; to: string } {
  const to = dayOf(today);
  if (preset === "week") return { from: dayOf(shifted(today, -((today.getDay() + 6) % 7))), to };
  if (preset === "month") return { from: dayOf(new Date(today.getFullYear(), today.getMonth(), 1)), to };
  return { from: dayOf(shifted(today, -29)), to };
}

/** The period a hash query names; an unknown or broken one falls back to the default. */
export function readPeriod(search: string, today: Date): Period {
  const q = new URLSearchParams(search);
  const from = q.get("from") ?? "";
  const to = q.get("to") ?? "";
  if (isDay(from) && isDay(to) && from <= to) return { preset: "custom", from, to };
  const named = q.get("period");
  const preset = PRESETS.includes(named as Preset) && named !== "custom" ? (named as Exclude<Preset, "custom">) : null;
  const chosen = preset ?? (DEFAULT_PRESET as Exclude<Preset, "custom">);
  return { preset: chosen, ...presetRange(chosen, today) };
}

/** The hash query for a period: a preset by name (it moves with the calendar), a custom one
 * by its days. */
export function periodQuery(p: Period): string {
  if (p.preset === "custom") return new URLSearchParams({ from: p.from, to: p.to }).toString();
  return new URLSearchParams({ period: p.preset }).toString();
}

/** Why a custom period cannot be asked for, or null. */
export function customProblem(from: string, to: string): "from" | "to" | "order" | null {
  if (!isDay(from)) return "from";
  if (!isDay(to)) return "to";
  return from <= to ? null : "order";
}

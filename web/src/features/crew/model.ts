// A crew member's week as a form holds it, and back: each weekday on or off with its hours,
// the time zone, days off and absences. The server's shape (services/scheduling/domain/crew.py):
// `working_hours` names every weekday, ["HH:MM", "HH:MM"] or null for a day off; an absence
// is a UTC range with an offset. The form edits absences in the browser's local time.
import type { Schemas } from "../../api/client";

export type Member = Schemas["CrewMember"];
export type CrewUpdate = Schemas["CrewUpdate"];

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type DayDraft = { on: boolean; start: string; end: string };
export type AbsenceDraft = { starts: string; ends: string; reason: string };
export type Draft = {
  timezone: string;
  days: Record<Weekday, DayDraft>;
  daysOff: string[];
  absences: AbsenceDraft[];
};

/** A problem the form finds before sending, keyed as the server's messages are. */
export type Problem = "required" | "end_before_start";

const pad = (n: number): string => String(n).padStart(2, "0");

/** An ISO moment as a datetime-local value in the browser's zone ("2026-12-01T09:00"). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (browser local time) as an ISO moment with an offset (UTC). */
export const fromLocalInput = (value: string): string => new Date(value).toISOString();

export function draftOf(member: Member): Draft {
  const days = {} as Record<Weekday, DayDraft>;
  for (const day of WEEKDAYS) {
    const span = member.working_hours[day];
    // A day off keeps the usual hours ready, so turning it on needs no typing.
    days[day] = span ? { on: true, start: span[0] ?? "09:00", end: span[1] ?? "18:00" } : { on: false, start: "09:00", end: "18:00" };
  }
  return {
    timezone: member.timezone,
    days,
    daysOff: [...(member.days_off ?? [])].sort(),
    absences: (member.absences ?? []).map((a) => ({ starts: toLocalInput(a.starts_at), ends: toLocalInput(a.ends_at), reason: a.reason ?? "" })),
  };
}

/** What the form refuses before asking the server: an empty time, an end not after its
 * start (HH:MM compares as text), an empty time zone or absence bound. */
export function problemsOf(draft: Draft): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  if (!draft.timezone.trim()) out.timezone = "required";
  for (const day of WEEKDAYS) {
    const { on, start, end } = draft.days[day];
    if (!on) continue;
    if (!start || !end) out[`working_hours.${day}`] = "required";
    else if (end <= start) out[`working_hours.${day}`] = "end_before_start";
  }
  draft.absences.forEach((a, i) => {
    if (!a.starts || !a.ends) out[`absences.${i}`] = "required";
    else if (new Date(a.ends) <= new Date(a.starts)) out[`absences.${i}`] = "end_before_start";
  });
  return out;
}

/** The whole PUT: every field given, so what the form shows is what is stored. */
export function updateOf(draft: Draft): CrewUpdate {
  const working_hours: Record<string, string[] | null> = {};
  for (const day of WEEKDAYS) {
    const { on, start, end } = draft.days[day];
    working_hours[day] = on ? [start, end] : null;
  }
  return {
    timezone: draft.timezone.trim(),
    working_hours,
    days_off: [...new Set(draft.daysOff.filter(Boolean))].sort(),
    absences: draft.absences.map((a) => ({
      starts_at: fromLocalInput(a.starts),
      ends_at: fromLocalInput(a.ends),
      reason: a.reason.trim() || null,
    })),
  };
}

/** The week in a line: consecutive days with the same hours joined ("Пн–Пт 09:00–18:00"),
 * days off left out; `names` are the weekdays' short names, `off` says a week with no work. */
export function summarize(hours: Member["working_hours"], names: Record<Weekday, string>, off: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const day = WEEKDAYS[i] as Weekday;
    const span = hours[day];
    if (!span) {
      i += 1;
      continue;
    }
    let j = i;
    while (j + 1 < WEEKDAYS.length && same(hours[WEEKDAYS[j + 1] as Weekday], span)) j += 1;
    const last = WEEKDAYS[j] as Weekday;
    const days = j === i ? names[day] : `${names[day]}–${names[last]}`;
    parts.push(`${days} ${span[0]}–${span[1]}`);
    i = j + 1;
  }
  return parts.length ? parts.join(", ") : off;
}

const same = (a: string[] | null | undefined, b: string[]): boolean => Boolean(a) && a?.[0] === b[0] && a?.[1] === b[1];

// The crew calendar's pure part: which role books which visit, how long a visit is by
// default, which view fits the width, the range a view shows, and the mapping of the server's
// schedules (free and busy windows, UTC instants) onto EventCalendar's resources and events.
// Everything is shown in the browser's local time: EventCalendar's `timeZone` stays "local"
// and every instant is handed over as a Date.
import type { Schemas } from "../../api/client";

export type VisitKind = "measurement" | "delivery" | "installation" | "rework";
export type CrewRole = "measurer" | "installer" | "delivery" | "production";
export type Entry = Schemas["CalendarEntry"];
export type Busy = Schemas["Busy"];
export type CalendarView = "resourceTimeGridDay" | "resourceTimeGridWeek";

export const CREW_ROLES: readonly CrewRole[] = ["measurer", "delivery", "installer", "production"];

const ROLE_OF_KIND: Record<VisitKind, CrewRole> = {
  measurement: "measurer",
  delivery: "delivery",
  installation: "installer",
  rework: "installer",
};

/** Who does a visit of this kind (contracts/events/common.py VISIT_ROLE). */
export const roleForKind = (kind: VisitKind): CrewRole => ROLE_OF_KIND[kind];

export const isCrewRole = (value: string | undefined): value is CrewRole =>
  (CREW_ROLES as readonly string[]).includes(value ?? "");

const DEFAULT_MINUTES: Record<VisitKind, number> = {
  measurement: 60,
  delivery: 120,
  installation: 240,
  rework: 240,
};

export const defaultMinutes = (kind: VisitKind): number => DEFAULT_MINUTES[kind];

/** A click books the kind's usual length from the clicked time. */
export const defaultEnd = (kind: VisitKind, start: Date): Date =>
  new Date(start.getTime() + DEFAULT_MINUTES[kind] * 60_000);

/** Below this container width a week of side-by-side columns is unreadable: one day at a time. */
export const WEEK_MIN_WIDTH = 720;

export const viewForWidth = (width: number): CalendarView =>
  width < WEEK_MIN_WIDTH ? "resourceTimeGridDay" : "resourceTimeGridWeek";

// ---- local calendar days (the browser's zone; setDate keeps DST days 23 or 25 hours long) ----

export function startOfDay(date: Date): Date {
  const d = new Date(date);
  d.setHours(0, 0, 0, 0);
  return d;
}

export function addDays(date: Date, days: number): Date {
  const d = new Date(date);
  d.setDate(d.getDate() + days);
  return d;
}

/** Monday of the date's week (the app's weeks start on Monday). */
export function weekStart(date: Date): Date {
  const d = startOfDay(date);
  return addDays(d, -((d.getDay() + 6) % 7));
}

export type Range = { from: Date; to: Date };

/** The half-open range [from, to) a view shows around `anchor`. */
export function rangeFor(view: CalendarView, anchor: Date): Range {
  const from = view === "resourceTimeGridDay" ? startOfDay(anchor) : weekStart(anchor);
  return { from, to: addDays(from, view === "resourceTimeGridDay" ? 1 : 7) };
}

/** The anchor one page back (-1) or forward (+1). */
export const stepAnchor = (view: CalendarView, anchor: Date, direction: -1 | 1): Date =>
  addDays(anchor, direction * (view === "resourceTimeGridDay" ? 1 : 7));

/** "2026-12-07": a local date, as <input type=date> and EventCalendar take it. */
export function isoDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "09:30": a local time, as <input type=time> takes it. */
export function isoTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** A local date and time from the form's inputs; null when either is empty or malformed. */
export function fromLocal(date: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const out = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  return Number.isNaN(out.getTime()) ? null : out;
}

// ---- intervals ----

export type Interval = { start: Date; end: Date };

const toInterval = (w: { starts_at: string; ends_at: string }): Interval => ({
  start: new Date(w.starts_at),
  end: new Date(w.ends_at),
});

/** `windows` minus the union of `blocks`, sorted. */
export function subtract(windows: Interval[], blocks: Interval[]): Interval[] {
  const ordered = [...blocks].filter((b) => b.start < b.end).sort((a, b) => +a.start - +b.start);
  const out: Interval[] = [];
  for (const w of [...windows].sort((a, b) => +a.start - +b.start)) {
    let cursor = w.start;
    for (const b of ordered) {
      if (b.end <= cursor || b.start >= w.end) continue;
      if (b.start > cursor) out.push({ start: cursor, end: b.start });
      if (b.end > cursor) cursor = b.end;
      if (cursor >= w.end) break;
    }
    if (cursor < w.end) out.push({ start: cursor, end: w.end });
  }
  return out;
}

/** Split intervals at local midnights, so each piece lies within one calendar day. */
export function splitByDay(intervals: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const i of intervals) {
    let start = i.start;
    while (start < i.end) {
      const midnight = addDays(startOfDay(start), 1);
      const end = midnight < i.end ? midnight : i.end;
      out.push({ start, end });
      start = end;
    }
  }
  return out;
}

const VISIT_KINDS: readonly string[] = ["measurement", "delivery", "installation", "rework"];
export const isVisit = (b: Busy): boolean => VISIT_KINDS.includes(b.kind) && Boolean(b.visit_id);

/**
 * May [start, end) be booked for this member (or `visitId` moved there)? The server's `free`
 * windows are exactly where a new visit fits (travel buffers around other visits already cut
 * out); a visit being moved may also take its own old place and its own travel. The server
 * still decides (working hours at the edges, anyone booking meanwhile): this only spares the
 * user a click that is sure to fail.
 */
export function fits(entry: Entry, start: Date, end: Date, visitId?: string): boolean {
  if (!(start < end)) return false;
  const own = visitId ? entry.busy.filter((b) => b.visit_id === visitId) : [];
  const others = entry.busy.filter((b) => !visitId || b.visit_id !== visitId);
  const allowed = subtract(merge([...entry.free, ...own].map(toInterval)), others.map(toInterval));
  return allowed.some((w) => w.start <= start && end <= w.end);
}

function merge(intervals: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const i of [...intervals].sort((a, b) => +a.start - +b.start)) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else out.push({ ...i });
  }
  return out;
}

/** The free window that holds `at`, if any (a click books from there). */
export function freeWindowAt(entry: Entry, at: Date): Interval | null {
  for (const w of entry.free.map(toInterval)) if (w.start <= at && at < w.end) return w;
  return null;
}

// ---- what EventCalendar shows ----

const WEEKDAY_KEYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Weekdays nobody of the crew works (in the week view they only take room). Never all. */
export function hiddenWeekdays(entries: Entry[]): Weekday[] {
  if (!entries.length) return [];
  const hidden = ([0, 1, 2, 3, 4, 5, 6] as Weekday[]).filter((day) =>
    entries.every((e) => !e.member.working_hours?.[WEEKDAY_KEYS[day]]),
  );
  return hidden.length === 7 ? [] : hidden;
}

/** The hours to draw: from an hour before the earliest work to an hour after the latest
 * (local time), 08:00–20:00 when nobody works in the range. */
export function slotBounds(entries: Entry[]): { min: string; max: string } {
  let earliest = Infinity;
  let latest = -Infinity;
  for (const e of entries) {
    const windows = [...e.free, ...e.busy.filter((b) => b.kind !== "absence")].map(toInterval);
    for (const w of windows) {
      const dayStart = startOfDay(w.start);
      const from = (+w.start - +dayStart) / 60_000;
      // A window running to (or past) midnight ends at 24:00 of its first day.
      const to = w.end >= addDays(dayStart, 1) ? 24 * 60 : (+w.end - +dayStart) / 60_000;
      earliest = Math.min(earliest, from);
      latest = Math.max(latest, to);
    }
  }
  if (!Number.isFinite(earliest)) return { min: "08:00:00", max: "20:00:00" };
  const min = Math.max(0, Math.floor(earliest / 60) - 1);
  const max = Math.min(24, Math.max(min + 1, Math.ceil(latest / 60) + 1));
  const hh = (h: number): string => `${String(h).padStart(2, "0")}:00:00`;
  return { min: hh(min), max: hh(max) };
}

export type Resource = { id: string; title: string };

export const toResources = (entries: Entry[]): Resource[] =>
  entries.map((e) => ({ id: e.member.id, title: e.member.display_name }));

/** What an event on the calendar stands for; kept in the event's extendedProps. */
export type Meta =
  | { type: "visit"; memberId: string; visitId: string; orderId: string; kind: string; version: number | null; label: string; thisOrder: boolean }
  | { type: "free"; memberId: string; label: string }
  | { type: "travel" | "absence" | "off" | "dayoff"; memberId: string; label: string }
  | { type: "pending"; memberId: string; label: string; conflict: boolean };

export type CalendarEvent = {
  id: string;
  resourceIds: string[];
  start: Date;
  end: Date;
  title: string;
  display: "auto" | "background";
  classNames: string[];
  // Both spelled out: EventCalendar reads these before the event's `editable`.
  startEditable: boolean;
  durationEditable: boolean;
  extendedProps: Meta;
};

export type Labels = {
  kind: (kind: string) => string;
  order: (orderId: string) => string;
  travel: string;
  absence: string;
  dayOff: string;
};

export type MapOptions = {
  range: Range;
  /** Free time before this is past: shown as off time. */
  now: Date;
  labels: Labels;
  /** The order being booked: its visits stand out. */
  orderId?: string | undefined;
  /** May the user move and cancel visits (visits.book)? */
  editable: boolean;
};

/**
 * One member's schedule as calendar events: visits (draggable when `editable`), travel and
 * absences as labelled background, free windows as invisible background (they carry the
 * data attributes a test clicks by), and the rest of the range (the past included) greyed as
 * off time; an off piece covering a whole local day is a day off ("Выходной").
 */
export function toEvents(entries: Entry[], opts: MapOptions): CalendarEvent[] {
  const events: CalendarEvent[] = [];
  const rangeWindow: Interval = { start: opts.range.from, end: opts.range.to };
  for (const entry of entries) {
    const memberId = entry.member.id;
    const base = { resourceIds: [memberId], startEditable: false, durationEditable: false, display: "background" as const };
    const free = subtract(entry.free.map(toInterval), [{ start: opts.range.from, end: opts.now }]);
    for (const w of free) {
      events.push({
        ...base,
        id: `free:${memberId}:${w.start.toISOString()}`,
        ...w,
        title: "",
        classNames: ["oms-free"],
        extendedProps: { type: "free", memberId, label: "" },
      });
    }
    for (const b of entry.busy) {
      const span = toInterval(b);
      if (isVisit(b)) {
        const visitId = b.visit_id as string;
        const orderId = b.order_id ?? "";
        const thisOrder = Boolean(opts.orderId) && orderId === opts.orderId;
        const label = [opts.labels.kind(b.kind), opts.labels.order(orderId)].filter(Boolean).join(" ");
        events.push({
          id: `visit:${visitId}`,
          resourceIds: [memberId],
          ...span,
          title: label,
          display: "auto",
          startEditable: opts.editable,
          durationEditable: opts.editable,
          classNames: ["oms-visit", `oms-kind-${b.kind}`, ...(thisOrder ? ["oms-this-order"] : [])],
          extendedProps: {
            type: "visit",
            memberId,
            visitId,
            orderId,
            kind: b.kind,
            version: b.visit_version ?? null,
            label,
            thisOrder,
          },
        });
      } else {
        const type = b.kind === "absence" ? "absence" : "travel";
        const label = type === "absence" ? opts.labels.absence : opts.labels.travel;
        const key = b.visit_id ?? "";
        events.push({
          ...base,
          id: `${type}:${memberId}:${key}:${span.start.toISOString()}`,
          ...span,
          title: label,
          classNames: [`oms-${type}`],
          extendedProps: { type, memberId, label },
        });
      }
    }
    const taken = [...free, ...entry.busy.map(toInterval)];
    for (const piece of splitByDay(subtract([rangeWindow], taken))) {
      const wholeDay =
        +piece.start === +startOfDay(piece.start) && +piece.end === +addDays(startOfDay(piece.start), 1);
      events.push({
        ...base,
        id: `off:${memberId}:${piece.start.toISOString()}`,
        ...piece,
        title: wholeDay ? opts.labels.dayOff : "",
        classNames: wholeDay ? ["oms-off", "oms-dayoff"] : ["oms-off"],
        extendedProps: { type: wholeDay ? "dayoff" : "off", memberId, label: wholeDay ? opts.labels.dayOff : "" },
      });
    }
  }
  return events;
}

/** The slot the user picked (or the server refused), drawn over the calendar. */
export function pendingEvent(
  slot: { memberId: string; start: Date; end: Date; conflict: boolean },
  label: string,
): CalendarEvent {
  return {
    id: "pending",
    resourceIds: [slot.memberId],
    start: slot.start,
    end: slot.end,
    title: label,
    display: "auto",
    startEditable: false,
    durationEditable: false,
    classNames: ["oms-pending", ...(slot.conflict ? ["oms-conflict"] : [])],
    extendedProps: { type: "pending", memberId: slot.memberId, label, conflict: slot.conflict },
  };
}

/** The visit with this id as the calendar shows it (for its panel). */
export function findVisit(entries: Entry[], visitId: string): { entry: Entry; busy: Busy } | null {
  for (const entry of entries) {
    const busy = entry.busy.find((b) => b.visit_id === visitId && isVisit(b));
    if (busy) return { entry, busy };
  }
  return null;
}

/** "пн, 7 дек., 10:00–11:00" in the user's language and the browser's zone. */
export function slotText(start: Date, end: Date, lang: string): string {
  const day = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" }).format(start);
  const time = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" });
  return `${day}, ${time.format(start)}–${time.format(end)}`;
}

/** The toolbar's title: the week's dates, or the day's full date. */
export function rangeTitle(view: CalendarView, range: Range, lang: string): string {
  if (view === "resourceTimeGridDay") {
    return new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(range.from);
  }
  const last = addDays(range.to, -1);
  const f = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" });
  return f.formatRange(range.from, last);
}

/** The booking form's fields: a member and a local date with start and end times. */
export type Draft = { memberId: string; date: string; start: string; end: string };

export const draftOf = (slot: { memberId: string; start: Date; end: Date }): Draft => ({
  memberId: slot.memberId,
  date: isoDate(slot.start),
  start: isoTime(slot.start),
  end: isoTime(slot.end),
});

/** The slot the fields describe; an error key when they do not describe one. */
export function slotOf(draft: Draft): { memberId: string; start: Date; end: Date } | "incomplete" | "end_before_start" {
  const start = fromLocal(draft.date, draft.start);
  const end = fromLocal(draft.date, draft.end);
  if (!draft.memberId || !start || !end) return "incomplete";
  if (end <= start) return "end_before_start";
  return { memberId: draft.memberId, start, end };
}

/** Where a click at `at` books a visit of `minutes`: from there, or moved earlier so that it
 * still ends inside the free window clicked (a click near the end of the day means "that
 * day, as late as it fits"). */
export function slotAt(entry: Entry, at: Date, minutes: number): Interval {
  const length = minutes * 60_000;
  const end = new Date(at.getTime() + length);
  const window = freeWindowAt(entry, at);
  if (window && end > window.end && +window.end - +window.start >= length) {
    return { start: new Date(+window.end - length), end: window.end };
  }
  return { start: at, end };
}

/** "Олег Монтажов" → "Олег М.": a week of three or more people leaves a column too narrow
 * for full names (the full name stays in the column's spoken label). */
export function shortName(name: string): string {
  const [first, ...rest] = name.trim().split(/\s+/);
  const last = rest[rest.length - 1];
  return last ? `${first} ${last.charAt(0)}.` : (first ?? "");
}

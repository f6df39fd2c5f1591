// The calendar's pure mapping. Runs in the test process's zone: every expectation is built
// with local Date constructors, so it holds in any zone (CI runs UTC, people Moscow).
import { describe, expect, it } from "vitest";
import {
  defaultEnd,
  defaultMinutes,
  draftOf,
  fits,
  hiddenWeekdays,
  isCrewRole,
  pendingEvent,
  rangeFor,
  roleForKind,
  shortName,
  slotAt,
  slotBounds,
  slotOf,
  splitByDay,
  stepAnchor,
  subtract,
  toEvents,
  toResources,
  viewForWidth,
  weekStart,
  type Entry,
  type MapOptions,
} from "./model";

const at = (d: number, h: number, min = 0): Date => new Date(2026, 11, d, h, min); // December 2026
const iso = (date: Date): string => date.toISOString();
const win = (start: Date, end: Date) => ({ starts_at: iso(start), ends_at: iso(end) });

const HOURS = { mon: ["09:00", "18:00"], tue: ["09:00", "18:00"], wed: ["09:00", "18:00"], thu: ["09:00", "18:00"], fri: ["09:00", "18:00"], sat: null, sun: null };

function member(id: string, hours: Record<string, string[] | null> = HOURS): Entry["member"] {
  return { id, username: id, display_name: `Name ${id}`, role: "measurer", timezone: "Europe/Moscow", working_hours: hours, days_off: [], absences: [] };
}

// Ivan on Tuesday 1 December: works 9–18, a measurement 10–11 of order o1 with 30 min of travel
// either side, so free 9:00–9:30 and 11:30–18:00. Wednesday a day off. Thursday absent 12–15.
const ivan: Entry = {
  member: member("ivan"),
  busy: [
    { ...win(at(1, 9, 30), at(1, 10)), kind: "travel", order_id: "o1", visit_id: "v1", visit_version: 2 },
    { ...win(at(1, 10), at(1, 11)), kind: "measurement", order_id: "o1", visit_id: "v1", visit_version: 2 },
    { ...win(at(1, 11), at(1, 11, 30)), kind: "travel", order_id: "o1", visit_id: "v1", visit_version: 2 },
    { ...win(at(3, 12), at(3, 15)), kind: "absence" },
  ],
  free: [win(at(1, 9), at(1, 9, 30)), win(at(1, 11, 30), at(1, 18)), win(at(3, 9), at(3, 12)), win(at(3, 15), at(3, 18))],
};
const petr: Entry = { member: member("petr"), busy: [], free: [win(at(1, 9), at(1, 18))] };

const labels: MapOptions["labels"] = {
  kind: (k) => ({ measurement: "Замер" })[k] ?? k,
  order: (id) => (id === "o1" ? "№7" : ""),
  travel: "Дорога",
  absence: "Отсутствует",
  dayOff: "Выходной",
};
const tuesdayToThursday = { from: at(1, 0), to: at(4, 0) };
const map = (entries: Entry[], extra: Partial<MapOptions> = {}) =>
  toEvents(entries, { range: tuesdayToThursday, now: at(1, 0), labels, editable: true, ...extra });

describe("which crew books which visit", () => {
  it("maps each visit kind to the role that does it", () => {
    expect(roleForKind("measurement")).toBe("measurer");
    expect(roleForKind("delivery")).toBe("delivery");
    expect(roleForKind("installation")).toBe("installer");
    expect(roleForKind("rework")).toBe("installer");
  });

  it("knows the crew roles and nothing else", () => {
    expect(isCrewRole("production")).toBe(true);
    expect(isCrewRole("manager")).toBe(false);
    expect(isCrewRole(undefined)).toBe(false);
  });
});

describe("default length", () => {
  it("is an hour for a measurement, two for a delivery, four for an installation or rework", () => {
    expect(defaultMinutes("measurement")).toBe(60);
    expect(defaultMinutes("delivery")).toBe(120);
    expect(defaultMinutes("installation")).toBe(240);
    expect(defaultMinutes("rework")).toBe(240);
    expect(defaultEnd("delivery", at(2, 10))).toEqual(at(2, 12));
  });

  it("books from the click, or earlier so it ends inside the free window clicked", () => {
    expect(slotAt(petr, at(1, 10), 60)).toEqual({ start: at(1, 10), end: at(1, 11) });
    expect(slotAt(petr, at(1, 17, 30), 60)).toEqual({ start: at(1, 17), end: at(1, 18) });
    // a window shorter than the visit: left as clicked (and refused by `fits`)
    expect(slotAt(ivan, at(1, 9), 60)).toEqual({ start: at(1, 9), end: at(1, 10) });
  });
});

describe("day or week by width", () => {
  it("shows one day below 720 px and the week from there", () => {
    expect(viewForWidth(360)).toBe("resourceTimeGridDay");
    expect(viewForWidth(719)).toBe("resourceTimeGridDay");
    expect(viewForWidth(720)).toBe("resourceTimeGridWeek");
    expect(viewForWidth(1440)).toBe("resourceTimeGridWeek");
  });

  it("pages by a day or a week, weeks starting on Monday", () => {
    expect(weekStart(at(3, 15))).toEqual(new Date(2026, 10, 30)); // Thursday → Monday 30 November
    expect(weekStart(at(6, 23))).toEqual(new Date(2026, 10, 30)); // Sunday belongs to the week before
    expect(rangeFor("resourceTimeGridWeek", at(3, 15))).toEqual({ from: new Date(2026, 10, 30), to: at(7, 0) });
    expect(rangeFor("resourceTimeGridDay", at(3, 15))).toEqual({ from: at(3, 0), to: at(4, 0) });
    expect(stepAnchor("resourceTimeGridDay", at(3, 15), 1)).toEqual(at(4, 15));
    expect(stepAnchor("resourceTimeGridWeek", at(3, 15), -1)).toEqual(new Date(2026, 10, 26, 15));
  });
});

describe("intervals", () => {
  it("subtracts blocks from windows", () => {
    const day = [{ start: at(1, 9), end: at(1, 18) }];
    expect(subtract(day, [{ start: at(1, 10), end: at(1, 11) }, { start: at(1, 17), end: at(1, 19) }])).toEqual([
      { start: at(1, 9), end: at(1, 10) },
      { start: at(1, 11), end: at(1, 17) },
    ]);
  });

  it("splits at local midnight", () => {
    expect(splitByDay([{ start: at(1, 18), end: at(2, 9) }])).toEqual([
      { start: at(1, 18), end: at(2, 0) },
      { start: at(2, 0), end: at(2, 9) },
    ]);
  });
});

describe("schedule → calendar", () => {
  it("makes one column per crew member", () => {
    expect(toResources([ivan, petr])).toEqual([
      { id: "ivan", title: "Name ivan" },
      { id: "petr", title: "Name petr" },
    ]);
  });

  it("shows a visit as a draggable event labelled by kind and order, with its version", () => {
    const visit = map([ivan]).find((e) => e.id === "visit:v1");
    expect(visit).toMatchObject({
      resourceIds: ["ivan"],
      start: at(1, 10),
      end: at(1, 11),
      display: "auto",
      startEditable: true,
      durationEditable: true,
      title: "Замер №7",
      extendedProps: { type: "visit", visitId: "v1", orderId: "o1", version: 2, thisOrder: false },
    });
    expect(map([ivan], { editable: false }).find((e) => e.id === "visit:v1")).toMatchObject({
      startEditable: false,
      durationEditable: false,
    });
    expect(map([ivan], { orderId: "o1" }).find((e) => e.id === "visit:v1")?.classNames).toContain("oms-this-order");
  });

  it("shows travel and absence as labelled background", () => {
    const bg = map([ivan]).filter((e) => e.display === "background" && e.title);
    expect(bg.filter((e) => e.title === "Дорога").map((e) => [e.start, e.end])).toEqual([
      [at(1, 9, 30), at(1, 10)],
      [at(1, 11), at(1, 11, 30)],
    ]);
    expect(bg.find((e) => e.title === "Отсутствует")).toMatchObject({ start: at(3, 12), end: at(3, 15), classNames: ["oms-absence"] });
  });

  it("greys the rest, and a whole day with no work is a day off", () => {
    const off = map([ivan]).filter((e) => e.extendedProps.type === "off" || e.extendedProps.type === "dayoff");
    expect(off.map((e) => [e.start, e.end, e.title])).toEqual([
      [at(1, 0), at(1, 9), ""],
      [at(1, 18), at(2, 0), ""],
      [at(2, 0), at(3, 0), "Выходной"],
      [at(3, 0), at(3, 9), ""],
      [at(3, 18), at(4, 0), ""],
    ]);
  });

  it("keeps free time as invisible background a test can click, past time as off", () => {
    const free = map([petr], { now: at(1, 12) }).filter((e) => e.extendedProps.type === "free");
    expect(free.map((e) => [e.start, e.end])).toEqual([[at(1, 12), at(1, 18)]]);
    const off = map([petr], { now: at(1, 12) }).filter((e) => e.extendedProps.type === "off");
    expect(off[0]).toMatchObject({ start: at(1, 0), end: at(1, 12) });
  });

  it("draws the picked slot, marked when the server refused it", () => {
    const slot = { memberId: "petr", start: at(1, 10), end: at(1, 11) };
    expect(pendingEvent({ ...slot, conflict: false }, "Новый визит")).toMatchObject({
      classNames: ["oms-pending"],
      startEditable: false,
    });
    expect(pendingEvent({ ...slot, conflict: true }, "Это время уже занято")).toMatchObject({
      resourceIds: ["petr"],
      title: "Это время уже занято",
      classNames: ["oms-pending", "oms-conflict"],
    });
  });
});

describe("what fits", () => {
  it("takes a slot inside a free window and nothing crossing travel, visits or off time", () => {
    expect(fits(ivan, at(1, 12), at(1, 13))).toBe(true);
    expect(fits(ivan, at(1, 11, 30), at(1, 12, 30))).toBe(true);
    expect(fits(ivan, at(1, 11), at(1, 12))).toBe(false); // travel after the visit
    expect(fits(ivan, at(1, 9), at(1, 10))).toBe(false); // travel before it
    expect(fits(ivan, at(1, 17, 30), at(1, 18, 30))).toBe(false); // past the working day
    expect(fits(ivan, at(2, 10), at(2, 11))).toBe(false); // day off
    expect(fits(ivan, at(3, 11), at(3, 13))).toBe(false); // absence
    expect(fits(ivan, at(1, 13), at(1, 13))).toBe(false); // empty
  });

  it("lets a visit move into its own old place and travel", () => {
    expect(fits(ivan, at(1, 9, 30), at(1, 10, 30), "v1")).toBe(true);
    expect(fits(ivan, at(1, 9, 30), at(1, 10, 30))).toBe(false);
  });
});

describe("column names", () => {
  it("shortens a name to the first name and an initial", () => {
    expect(shortName("Олег Монтажов")).toBe("Олег М.");
    expect(shortName("  Анна Мария Петрова ")).toBe("Анна П.");
    expect(shortName("Ольга")).toBe("Ольга");
  });
});

describe("hours and days drawn", () => {
  it("draws an hour either side of the work, 8–20 when nobody works", () => {
    expect(slotBounds([ivan, petr])).toEqual({ min: "08:00:00", max: "19:00:00" });
    expect(slotBounds([])).toEqual({ min: "08:00:00", max: "20:00:00" });
  });

  it("hides weekdays nobody works, never all of them", () => {
    expect(hiddenWeekdays([ivan, petr])).toEqual([0, 6]);
    const saturday = { ...petr, member: member("sat", { ...HOURS, sat: ["10:00", "16:00"] }) };
    expect(hiddenWeekdays([ivan, saturday])).toEqual([0]);
    expect(hiddenWeekdays([{ ...petr, member: member("none", {}) }])).toEqual([]);
  });
});

describe("the booking form's fields", () => {
  it("round-trips a slot through local date and time fields", () => {
    const slot = { memberId: "petr", start: at(1, 10, 15), end: at(1, 11, 15) };
    expect(draftOf(slot)).toEqual({ memberId: "petr", date: "2026-12-01", start: "10:15", end: "11:15" });
    expect(slotOf(draftOf(slot))).toEqual(slot);
  });

  it("says what is missing or wrong", () => {
    expect(slotOf({ memberId: "", date: "2026-12-01", start: "10:00", end: "11:00" })).toBe("incomplete");
    expect(slotOf({ memberId: "petr", date: "", start: "10:00", end: "11:00" })).toBe("incomplete");
    expect(slotOf({ memberId: "petr", date: "2026-12-01", start: "11:00", end: "10:00" })).toBe("end_before_start");
  });
});

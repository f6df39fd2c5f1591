import { describe, expect, it } from "vitest";
import { daysBetween, durationBars, funnelBars, hoursText, lateOrders, loadBars, overdueItems, percentText, type Row } from "./chartData";
import { csvFileName } from "./csv";
import { companyToday, customProblem, dayOf, isDay, periodQuery, presetRange, readPeriod } from "./period";

// Monday 30 November 2026, in the afternoon, on this device.
const MONDAY = new Date(2026, 10, 30, 15, 0);
const THURSDAY = new Date(2026, 11, 3, 9, 0);

describe("the period presets", () => {
  it("count this week from its Monday, this month from its 1st, and 30 days with today", () => {
    expect(presetRange("week", MONDAY)).toEqual({ from: "2026-11-30", to: "2026-11-30" });
    expect(presetRange("week", THURSDAY)).toEqual({ from: "2026-11-30", to: "2026-12-03" });
    expect(presetRange("month", THURSDAY)).toEqual({ from: "2026-12-01", to: "2026-12-03" });
    expect(presetRange("30d", MONDAY)).toEqual({ from: "2026-11-01", to: "2026-11-30" });
  });

  it("count days in the company's time zone, whatever the device's", () => {
    // 22:30 UTC on 30 November is already 1 December in Moscow.
    expect(dayOf(companyToday(new Date("2026-11-30T22:30:00Z")))).toBe("2026-12-01");
    expect(dayOf(companyToday(new Date("2026-11-30T20:30:00Z")))).toBe("2026-11-30");
    expect(presetRange("month", companyToday(new Date("2026-11-30T22:30:00Z")))).toEqual({
      from: "2026-12-01",
      to: "2026-12-01",
    });
  });

  it("read a week ending on Sunday back to Monday", () => {
    expect(presetRange("week", new Date(2026, 11, 6, 23, 59))).toEqual({ from: "2026-11-30", to: "2026-12-06" });
  });
});

describe("the period in the link", () => {
  it("round-trips a preset by name and a custom one by its days", () => {
    const month = readPeriod("period=month", THURSDAY);
    expect(month).toEqual({ preset: "month", from: "2026-12-01", to: "2026-12-03" });
    expect(periodQuery(month)).toBe("period=month");
    const custom = readPeriod("from=2026-10-05&to=2026-10-11", THURSDAY);
    expect(custom).toEqual({ preset: "custom", from: "2026-10-05", to: "2026-10-11" });
    expect(readPeriod(periodQuery(custom), MONDAY)).toEqual(custom);
  });

  it("falls back to the last 30 days for no, an unknown or a broken period", () => {
    const fallback = { preset: "30d", from: "2026-11-01", to: "2026-11-30" };
    expect(readPeriod("", MONDAY)).toEqual(fallback);
    expect(readPeriod("period=year", MONDAY)).toEqual(fallback);
    expect(readPeriod("period=custom", MONDAY)).toEqual(fallback);
    expect(readPeriod("from=2026-11-20&to=2026-11-02", MONDAY)).toEqual(fallback);
    expect(readPeriod("from=2026-02-30&to=2026-03-02", MONDAY)).toEqual(fallback);
  });

  it("says what is wrong with a custom period", () => {
    expect(isDay("2026-02-28")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(customProblem("", "2026-11-02")).toBe("from");
    expect(customProblem("2026-11-02", "")).toBe("to");
    expect(customProblem("2026-11-03", "2026-11-02")).toBe("order");
    expect(customProblem("2026-11-02", "2026-11-02")).toBeNull();
  });
});

describe("a CSV's file name", () => {
  it("names the report and its days", () => {
    expect(csvFileName("stage-durations", { from: "2026-11-01", to: "2026-11-30" })).toBe(
      "stage-durations_2026-11-01_2026-11-30.csv",
    );
  });
});

describe("report rows → chart data", () => {
  it("maps the funnel, keeping an unknown conversion unknown", () => {
    const rows = [
      { stage: "intake", title: "Заявка", entered: 3, advanced: 2, next_stage: "measurement", conversion: 0.6667 },
      { stage: "closed", title: "", entered: 1, advanced: 0, next_stage: null, conversion: null },
    ];
    expect(funnelBars(rows)).toEqual([
      { key: "intake", label: "Заявка", entered: 3, advanced: 2, conversion: 0.6667 },
      { key: "closed", label: "closed", entered: 1, advanced: 0, conversion: null },
    ]);
  });

  it("maps time in stage, a stage nobody left having no median", () => {
    const rows = [
      { stage: "intake", title: "Заявка", count: 4, median_hours: 7, p90_hours: 54.1 },
      { stage: "closed", title: "Закрыт", count: 0, median_hours: null, p90_hours: null },
    ];
    expect(durationBars(rows)).toEqual([
      { key: "intake", label: "Заявка", count: 4, median: 7, p90: 54.1 },
      { key: "closed", label: "Закрыт", count: 0, median: null, p90: null },
    ]);
  });

  it("splits the overdue rows into tasks and orders", () => {
    const rows: Row[] = [
      { item: "task", task_id: "t1", order_id: "o1", number: 12, title: "Позвонить", due_at: "2026-11-29T10:00:00Z", assignee: null, assignee_role: "manager" },
      { item: "task", task_id: "t2", order_id: null, number: null, title: "Без заказа", due_at: "2026-11-28T10:00:00Z", assignee: "Ольга", assignee_role: null },
      { item: "order", order_id: "o2", number: 14, title: "Шкаф", stage: "measurement", stage_title: "Замер", stage_entered_at: "2026-11-20T10:00:00Z" },
    ];
    const { tasks, orders } = overdueItems(rows);
    expect(tasks.map((t) => [t.orderId, t.who])).toEqual([
      ["o1", "manager"],
      [null, "Ольга"],
    ]);
    expect(orders).toEqual([
      { item: "order", orderId: "o2", number: 14, title: "Шкаф", stage: "Замер", since: "2026-11-20T10:00:00Z", who: "" },
    ]);
  });

  it("maps the workload, naming a member by display name, else username", () => {
    const rows = [
      { id: "u1", username: "measurer", display_name: "Замеров Иван", role: "measurer", visits: 2, booked_hours: 5, working_hours: 40, utilisation: 0.125 },
      { id: "u2", username: "installer", display_name: null, role: "installer", visits: 0, booked_hours: 0, working_hours: 0, utilisation: null },
    ];
    expect(loadBars(rows).map((b) => [b.key, b.label, b.booked, b.capacity, b.utilisation])).toEqual([
      ["u1", "Замеров Иван", 5, 40, 0.125],
      ["u2", "installer", 0, 0, null],
    ]);
  });

  it("writes hours and shares as people read them", () => {
    expect(hoursText(7, "ru")).toBe("7 ч");
    expect(hoursText(54.1, "ru")).toBe("2,3 д");
    expect(hoursText(1.25, "en")).toBe("1.3 h");
    expect(hoursText(null, "ru")).toBe("—");
    expect(percentText(0.125, "en")).toBe("13%");
    expect(percentText(null, "ru")).toBe("—");
  });
});

describe("the late orders", () => {
  it("keeps the late rows in the server's order, with how many days late", () => {
    const rows: Row[] = [
      { order_id: "a", number: 7, title: "Шкаф", stage: "production", stage_title: "Производство", expected_close: "2027-01-12", promised_date: "2026-12-31", late: true },
      { order_id: "b", number: 8, title: "Дверь", stage: "intake", stage_title: "", expected_close: "2027-01-12", promised_date: null, late: false },
    ];
    expect(lateOrders(rows)).toEqual([
      { orderId: "a", number: 7, title: "Шкаф", stage: "Производство", promised: "2026-12-31", expected: "2027-01-12", daysLate: 12 },
    ]);
  });

  it("counts calendar days, and nothing from what is not a day", () => {
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-11-30", "soon")).toBeNull();
  });

  it("names the forecast's CSV for the day it was taken, not the period", () => {
    expect(csvFileName("forecast", { from: "2026-11-01", to: "2026-11-30" }, "2026-12-03")).toBe("forecast_2026-12-03.csv");
  });
});

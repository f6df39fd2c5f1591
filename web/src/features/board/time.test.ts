import { describe, expect, it } from "vitest";
import { timeInStage, visitWhen } from "./time";

const ru = { daysHours: "{d} д {h} ч", hoursMinutes: "{h} ч {m} мин", minutes: "{m} мин" };
const now = Date.parse("2026-03-12T12:00:00Z");

describe("timeInStage", () => {
  it("says days and hours after a day", () => {
    expect(timeInStage("2026-03-09T08:00:00Z", now, ru)).toBe("3 д 4 ч");
    expect(timeInStage("2026-03-11T12:00:00+00:00", now, ru)).toBe("1 д 0 ч");
  });
  it("says hours and minutes within a day, minutes within an hour", () => {
    expect(timeInStage("2026-03-12T06:50:00Z", now, ru)).toBe("5 ч 10 мин");
    expect(timeInStage("2026-03-12T11:53:10Z", now, ru)).toBe("6 мин");
  });
  it("never goes below zero (a clock ahead of ours) and says nothing without a time", () => {
    expect(timeInStage("2026-03-12T12:05:00Z", now, ru)).toBe("0 мин");
    expect(timeInStage(null, now, ru)).toBe("");
    expect(timeInStage("garbage", now, ru)).toBe("");
  });
});

describe("visitWhen", () => {
  it("shows the day and time, and the text itself when it is not a time", () => {
    expect(visitWhen("2026-03-13T07:00:00Z", "ru")).toMatch(/13\.03/);
    expect(visitWhen("soon", "ru")).toBe("soon");
  });
});

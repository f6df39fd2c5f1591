import { describe, expect, it } from "vitest";
import { bytes, dateTime, since, timeOfDay } from "./format";

describe("dateTime", () => {
  it("shows day, month, year and time in the given zone, per language", () => {
    expect(dateTime("2026-11-30T11:42:43Z", "ru", "Europe/Moscow")).toBe("30.11.2026, 14:42");
    expect(dateTime("2026-11-30T11:42:43Z", "en", "UTC")).toBe("30/11/2026, 11:42");
  });
  it("leaves out what is missing and shows what it cannot read as it came", () => {
    expect(dateTime(null, "ru")).toBe("");
    expect(dateTime("not a date", "ru")).toBe("not a date");
  });
  it("respects the offset the API sends", () => {
    expect(timeOfDay("2026-11-30T09:00:00+03:00", "ru", "UTC")).toBe("06:00");
  });
});

describe("since", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  it("says minutes, hours and minutes, or days and hours", () => {
    expect(since("2026-11-30T11:55:00Z", "ru", now)).toBe("5 мин");
    expect(since("2026-11-30T09:30:00Z", "ru", now)).toBe("2 ч 30 мин");
    expect(since("2026-11-27T08:00:00Z", "ru", now)).toBe("3 д 4 ч");
    expect(since("2026-11-27T08:00:00Z", "en", now)).toBe("3 d 4 h");
  });
  it("never goes negative (a clock a little behind the server's)", () => {
    expect(since("2026-11-30T12:01:00Z", "ru", now)).toBe("0 мин");
  });
  it("is empty without a time", () => {
    expect(since(undefined, "ru", now)).toBe("");
  });
});

describe("bytes", () => {
  it("uses bytes, kilobytes and megabytes with the language's decimal mark", () => {
    expect(bytes(512, "ru")).toBe("512 Б");
    expect(bytes(35 * 1024, "ru")).toBe("35 КБ");
    expect(bytes(2.5 * 1024 * 1024, "ru")).toBe("2,5 МБ");
    expect(bytes(2.5 * 1024 * 1024, "en")).toBe("2.5 MB");
    expect(bytes(undefined, "ru")).toBe("");
  });
});

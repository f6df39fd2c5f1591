import { describe, expect, it } from "vitest";
import { draftOf, problemsOf, summarize, updateOf, type Member } from "./model";

const NAMES = { mon: "Пн", tue: "Вт", wed: "Ср", thu: "Чт", fri: "Пт", sat: "Сб", sun: "Вс" };
const nine = ["09:00", "18:00"];
const member: Member = {
  id: "m1",
  username: "zamer",
  display_name: "Замерщик",
  role: "measurer",
  timezone: "Europe/Moscow",
  working_hours: { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine, sat: null, sun: null },
  days_off: ["2026-12-31", "2026-12-08"],
  absences: [],
};

describe("the weekday hours model", () => {
  it("reads every weekday, a day off kept ready with the usual hours", () => {
    const draft = draftOf(member);
    expect(draft.days.mon).toEqual({ on: true, start: "09:00", end: "18:00" });
    expect(draft.days.sun).toEqual({ on: false, start: "09:00", end: "18:00" });
    expect(draft.daysOff).toEqual(["2026-12-08", "2026-12-31"]);
  });

  it("sends every weekday back, null for a day off, and days off once each in order", () => {
    const draft = draftOf(member);
    draft.days.sun = { on: true, start: "11:00", end: "15:00" };
    draft.days.fri.on = false;
    draft.daysOff.push("2026-12-08", "2027-01-02");
    const sent = updateOf(draft);
    expect(sent.working_hours).toEqual({ mon: nine, tue: nine, wed: nine, thu: nine, fri: null, sat: null, sun: ["11:00", "15:00"] });
    expect(sent.days_off).toEqual(["2026-12-08", "2026-12-31", "2027-01-02"]);
    expect(sent.timezone).toBe("Europe/Moscow");
  });

  it("refuses an end not after its start and an empty time before asking the server", () => {
    const draft = draftOf(member);
    draft.days.tue = { on: true, start: "18:00", end: "09:00" };
    draft.days.wed = { on: true, start: "", end: "12:00" };
    draft.days.sat = { on: false, start: "20:00", end: "08:00" }; // off: not looked at
    draft.timezone = " ";
    expect(problemsOf(draft)).toEqual({
      timezone: "required",
      "working_hours.tue": "end_before_start",
      "working_hours.wed": "required",
    });
  });

  it("sends an absence in local time as a UTC moment and back", () => {
    const draft = draftOf(member);
    draft.absences.push({ starts: "2026-12-01T09:00", ends: "2026-12-01T08:00", reason: "" });
    expect(problemsOf(draft)).toEqual({ "absences.0": "end_before_start" });
    draft.absences[0] = { starts: "2026-12-01T09:00", ends: "2026-12-02T18:00", reason: " врач " };
    const [absence] = updateOf(draft).absences ?? [];
    expect(absence?.reason).toBe("врач");
    expect(new Date(absence?.starts_at ?? "").getTime()).toBe(new Date("2026-12-01T09:00").getTime());
    expect(draftOf({ ...member, absences: [{ starts_at: absence!.starts_at, ends_at: absence!.ends_at }] }).absences[0]?.starts).toBe(
      "2026-12-01T09:00",
    );
  });

  it("says the week in a line, joining days with the same hours", () => {
    expect(summarize(member.working_hours, NAMES, "—")).toBe("Пн–Пт 09:00–18:00");
    const odd = { ...member.working_hours, wed: ["10:00", "14:00"], sun: ["11:00", "15:00"] };
    expect(summarize(odd, NAMES, "—")).toBe("Пн–Вт 09:00–18:00, Ср 10:00–14:00, Чт–Пт 09:00–18:00, Вс 11:00–15:00");
    expect(summarize({}, NAMES, "нет рабочих дней")).toBe("нет рабочих дней");
  });
});

describe("the server's refusals of a week", () => {
  it("lands each under its field, in the user's words where it is a known one", async () => {
    const { ApiError } = await import("../../api/client");
    const { refusalOf } = await import("./errors");
    const { m } = await import("./messages");
    const t = m.in("ru");
    const hours = new ApiError(422, { detail: "working_hours.sun: end must be after start", code: "invalid_hours" });
    expect(refusalOf(hours, t).fields).toEqual({ "working_hours.sun": "Конец должен быть позже начала" });
    const zone = new ApiError(422, { detail: "timezone: unknown time zone 'Mars/Base'", code: "invalid_timezone" });
    expect(refusalOf(zone, t).fields).toEqual({ timezone: "Неизвестный часовой пояс" });
    const listed = new ApiError(422, {
      detail: "invalid",
      errors: [{ loc: ["body", "days_off", 2], msg: "Input should be a valid date", type: "date_from_datetime_parsing" }],
    });
    expect(refusalOf(listed, t).fields).toEqual({ days_off: "Input should be a valid date" });
    expect(refusalOf(new ApiError(404, {}), t).form).toBe("Такого сотрудника больше нет. Обновите список.");
  });
});

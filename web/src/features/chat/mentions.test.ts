import { describe, expect, it } from "vitest";
import { m } from "./messages";
import { mentionedUsernames, notNotifiedText, splitMentions } from "./mentions";

describe("mentions", () => {
  it("finds @usernames as the server does", () => {
    expect(mentionedUsernames("@Measurer, посмотри; @director. и @measurer")).toEqual(["director", "measurer"]);
    expect(mentionedUsernames("ivan@example.ru @@x @a")).toEqual([]);
    expect(mentionedUsernames("Привет@ivan")).toEqual([]);
  });
  it("cuts the text for highlighting, keeping every character", () => {
    const parts = splitMentions("Привет, @ivan.petrov! Это @x1");
    expect(parts).toEqual([
      { text: "Привет, ", mention: false },
      { text: "@ivan.petrov", mention: true },
      { text: "! Это ", mention: false },
      { text: "@x1", mention: true },
    ]);
    expect(parts.map((p) => p.text).join("")).toBe("Привет, @ivan.petrov! Это @x1");
  });
});

describe("notNotifiedText", () => {
  it("says who was not notified and why, in Russian", () => {
    const t = m.in("ru");
    expect(
      notNotifiedText(
        [
          { username: "installer", reason: "no_access" },
          { username: "nobody", reason: "unknown_user" },
        ],
        t,
      ),
    ).toBe("Уведомление не получат: @installer (нет доступа к заказу), @nobody (нет такого пользователя)");
    expect(notNotifiedText([{ username: "x", reason: "new_reason" }], t)).toBe("Уведомление не получат: @x (new_reason)");
  });
  it("says nothing when everyone was notified", () => {
    expect(notNotifiedText([], m.in("ru"))).toBeNull();
    expect(notNotifiedText(undefined, m.in("ru"))).toBeNull();
  });
});

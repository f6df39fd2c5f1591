import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { refusalOf } from "./errors";
import { m } from "./messages";
import { changesOf, draftOf, emptyDraft, matches, missing, newUser, sortUsers, type User } from "./model";

const t = m.in("ru");
const olga: User = { id: "1", username: "olga", display_name: "Ольга Цехова", role: "production", active: true };

describe("the user form's value", () => {
  it("sends a change as only what changed, and a blank password as no change", () => {
    expect(changesOf(olga, draftOf(olga))).toEqual({});
    expect(changesOf(olga, { ...draftOf(olga), display_name: "  Ольга Цехова " })).toEqual({});
    expect(changesOf(olga, { ...draftOf(olga), role: "measurer", active: false, password: "новый пароль 42" })).toEqual({
      role: "measurer",
      active: false,
      password: "новый пароль 42",
    });
  });

  it("sends a new user whole, trimmed except the password", () => {
    const draft = { ...emptyDraft(), username: " ivan ", display_name: " Иван ", role: "installer" as const, password: " x y " };
    expect(newUser(draft)).toEqual({ username: "ivan", display_name: "Иван", role: "installer", password: " x y " });
  });

  it("asks for what is missing before the server does", () => {
    expect(missing(emptyDraft(), true)).toEqual(["username", "display_name", "role", "password"]);
    expect(missing(draftOf(olga), false)).toEqual([]); // a blank password keeps the old one
  });
});

describe("the list", () => {
  it("puts active people first, then by name, and finds by name or username", () => {
    const off = { ...olga, id: "2", display_name: "Анна", username: "anna", active: false };
    const boris = { ...olga, id: "3", display_name: "Борис", username: "boris" };
    expect(sortUsers([off, olga, boris]).map((u) => u.id)).toEqual(["3", "1", "2"]);
    expect(matches(olga, "цех")).toBe(true);
    expect(matches(olga, "OLG")).toBe(true);
    expect(matches(olga, "   ")).toBe(true);
    expect(matches(olga, "boris")).toBe(false);
  });
});

describe("a refusal", () => {
  it("lands under each field the gateway named, in the user's language", () => {
    const err = new ApiError(422, {
      code: "invalid_input",
      detail: "x",
      errors: [
        { loc: ["body", "username"], msg: "String should match pattern '^x$'", type: "string_pattern_mismatch" },
        { loc: ["body", "password"], msg: "String should have at least 10 characters", type: "string_too_short" },
        { loc: ["body", "display_name"], msg: "String should have at least 1 character", type: "string_too_short" },
        { loc: ["body", "role"], msg: "Input should be 'manager', ...", type: "literal_error" },
      ],
    });
    expect(refusalOf(err, t)).toEqual({
      fields: {
        username: t("error.username_pattern"),
        password: "Не короче 10 символов",
        display_name: "Обязательное поле",
        role: t("error.role"),
      },
      form: null,
    });
  });

  it("says a taken username, a weak password and a named field of the gateway's own there too", () => {
    const taken = new ApiError(409, { code: "username_taken", detail: "username 'olga' is taken" });
    expect(refusalOf(taken, t).fields).toEqual({ username: "Этот логин уже занят" });
    const weak = new ApiError(422, { code: "weak_password", detail: "password: too easy to guess" });
    expect(refusalOf(weak, t).fields).toEqual({ password: t("error.weak_password") });
    const named = new ApiError(422, { code: "invalid_input", detail: "display_name: no line breaks" });
    expect(refusalOf(named, t).fields).toEqual({ display_name: "no line breaks" });
  });

  it("says what concerns the whole change above the buttons, and leaves the rest to the caller", () => {
    const own = new ApiError(409, { code: "cannot_change_own_access", detail: "ask another admin" });
    expect(refusalOf(own, t)).toEqual({ fields: {}, form: t("error.own_access") });
    expect(refusalOf(new ApiError(409, { code: "last_admin", detail: "x" }), t).form).toBe(t("error.last_admin"));
    expect(refusalOf(new ApiError(404, { code: "not_found", detail: "x" }), t).form).toBe(t("error.gone"));
    expect(refusalOf(new ApiError(403, { code: "forbidden", detail: "x" }), t)).toEqual({ fields: {}, form: null });
    expect(refusalOf(new ApiError(0, null), t)).toEqual({ fields: {}, form: null });
  });
});

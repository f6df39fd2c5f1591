import { describe, expect, it } from "vitest";
import { displayPhone, formatTyped, isValidPhone, toE164 } from "./phone";

describe("phone helpers", () => {
  it("format a Russian number as it is typed, in each of its usual forms", () => {
    expect(formatTyped("+79161234567", "+7916123456")).toBe("+7 916 123 45 67");
    expect(formatTyped("89161234567", "8916123456")).toBe("8 (916) 123-45-67");
    expect(formatTyped("9161234567", "916123456")).toBe("916 123-45-67");
  });

  it("leave a deletion as typed, so a bracket or dash can be erased", () => {
    expect(formatTyped("8 (916", "8 (916)")).toBe("8 (916");
  });

  it("keep no letters when there are no digits yet", () => {
    expect(formatTyped("+", "")).toBe("+");
    expect(formatTyped("abc", "ab")).toBe("");
  });

  it("accept +7…, 8… and 9XX… and refuse fragments", () => {
    for (const ok of ["+7 916 123-45-67", "8 (916) 123-45-67", "9161234567", "84951234567"]) {
      expect(isValidPhone(ok)).toBe(true);
    }
    for (const bad of ["", "123", "+7 916", "8916123", "abc"]) {
      expect(isValidPhone(bad)).toBe(false);
    }
  });

  it("send every form of one number as the same E.164", () => {
    expect(toE164("8 (916) 123-45-67")).toBe("+79161234567");
    expect(toE164("+7 916 123 45 67")).toBe("+79161234567");
    expect(toE164("916 123-45-67")).toBe("+79161234567");
    expect(toE164("12")).toBeNull();
  });

  it("show a stored number readably", () => {
    expect(displayPhone("+79161234567")).toBe("+7 916 123 45 67");
    expect(displayPhone("not a phone")).toBe("not a phone");
  });
});

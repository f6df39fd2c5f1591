import { describe, expect, it } from "vitest";
import { fullDay, shortDay } from "./day";

describe("calendar days", () => {
  it("reads a day as written, in either language", () => {
    expect(shortDay("2026-12-12", "ru")).toBe("12.12");
    expect(shortDay("2026-12-12", "en")).toBe("12 Dec");
    expect(fullDay("2026-01-05", "ru")).toBe("05.01.2026");
    expect(fullDay("2026-01-05", "en")).toBe("5 Jan 2026");
  });

  it("leaves what is not a day alone", () => {
    expect(shortDay(null, "ru")).toBe("");
    expect(fullDay("soon", "en")).toBe("soon");
  });
});

import { describe, expect, it } from "vitest";
import { localInput, momentOf } from "./asOf";

describe("the moment of a past view", () => {
  it("reads the input's local time as an instant and writes it back", () => {
    const at = momentOf("2026-03-02T10:30");
    expect(at).not.toBeNull();
    expect(localInput(new Date(at as string))).toBe("2026-03-02T10:30");
  });
  it("shows seconds when asked", () => {
    const at = momentOf("2026-03-02T10:30:15") as string;
    expect(localInput(new Date(at), true)).toBe("2026-03-02T10:30:15");
  });
  it("refuses what is not a date and time", () => {
    expect(momentOf("")).toBeNull();
    expect(momentOf("2026-03-02")).toBeNull();
    expect(momentOf("2026-13-45T99:99")).toBeNull();
  });
});

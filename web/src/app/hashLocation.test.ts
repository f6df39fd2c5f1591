import { describe, expect, it } from "vitest";
import { splitHash } from "./hashLocation";

describe("splitHash", () => {
  it("keeps the query out of the route's path", () => {
    expect(splitHash("#/board?q=%D0%98&overdue=1")).toEqual(["/board", "q=%D0%98&overdue=1"]);
  });
  it("reads a hash without a query or without a slash", () => {
    expect(splitHash("#/order/42")).toEqual(["/order/42", ""]);
    expect(splitHash("#board")).toEqual(["/board", ""]);
    expect(splitHash("")).toEqual(["/", ""]);
  });
});

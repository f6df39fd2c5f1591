import { describe, expect, it } from "vitest";
import { NO_FILTERS, apiFilters, filtersQuery, hasFilters, parseFilters } from "./filters";

describe("board filters in the hash", () => {
  it("round-trip through the query", () => {
    const f = { q: "Иванов", mine: true, manager: "m1", assignee: "", overdue: true };
    const query = filtersQuery(f);
    expect(query).toBe("q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2&mine=1&manager=m1&overdue=1");
    expect(parseFilters(query)).toEqual(f);
  });

  it("read nothing as no filters and say so", () => {
    expect(parseFilters("")).toEqual(NO_FILTERS);
    expect(filtersQuery(NO_FILTERS)).toBe("");
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, q: "  " })).toBe(false);
    expect(parseFilters("overdue=true&mine=0")).toMatchObject({ overdue: true, mine: false });
  });

  it("send only what is on", () => {
    expect(apiFilters(NO_FILTERS)).toEqual({});
    expect(apiFilters({ ...NO_FILTERS, q: " 12 ", overdue: true })).toEqual({ q: "12", overdue: true });
  });
});

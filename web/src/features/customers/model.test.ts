import { describe, expect, it } from "vitest";
import { appendPage, mergeHistories, searchQuery, telHref, type CustomerOrder, type HistoryEntry } from "./model";

const order = (number: number): CustomerOrder => ({
  id: `id-${number}`,
  number,
  title: `Кухня ${number}`,
  stage: "intake",
  stage_title: "Новый",
  closed: false,
  created_at: "2026-01-01T00:00:00Z",
  stage_entered_at: "2026-01-01T00:00:00Z",
});

const entry = (id: string, at: string, version = 1): HistoryEntry => ({
  event_id: id,
  type: "orders.StageChanged",
  at,
  version,
  actor: { kind: "user", username: "manager" },
  summary: id,
  data: {},
});

describe("mergeHistories", () => {
  it("merges the orders' histories newest first, each entry tagged with its order", () => {
    const merged = mergeHistories([
      { order: order(2), entries: [entry("b1", "2026-02-01T10:00:00Z"), entry("b2", "2026-02-03T10:00:00Z", 2)] },
      { order: order(1), entries: [entry("a1", "2026-01-05T10:00:00+03:00"), entry("a2", "2026-02-02T10:00:00Z", 2)] },
    ]);
    expect(merged.map((e) => e.event_id)).toEqual(["b2", "a2", "b1", "a1"]);
    expect(merged[1]?.order).toEqual({ id: "id-1", number: 1, title: "Кухня 1" });
  });

  it("keeps one instant's entries in their order's sequence, newest version first", () => {
    const at = "2026-02-01T10:00:00Z";
    const merged = mergeHistories([{ order: order(1), entries: [entry("x", at, 1), entry("y", at, 2)] }]);
    expect(merged.map((e) => e.event_id)).toEqual(["y", "x"]);
  });

  it("lists an entry once, and nothing for no orders", () => {
    const same = entry("s", "2026-02-01T10:00:00Z");
    expect(mergeHistories([{ order: order(1), entries: [same] }, { order: order(2), entries: [same] }])).toHaveLength(1);
    expect(mergeHistories([])).toEqual([]);
  });
});

describe("the directory's helpers", () => {
  it("folds the search box's spaces", () => {
    expect(searchQuery("  +7 916   123 ")).toBe("+7 916 123");
    expect(searchQuery("   ")).toBe("");
  });

  it("makes a dialable tel: link of any form", () => {
    expect(telHref("+7 (916) 123-45-67")).toBe("tel:+79161234567");
  });

  it("appends a page without listing a customer twice", () => {
    const had = [{ digits: "1" }, { digits: "2" }];
    expect(appendPage(had, [{ digits: "2" }, { digits: "3" }]).map((c) => c.digits)).toEqual(["1", "2", "3"]);
  });
});

import { describe, expect, it } from "vitest";
import { findCard, moveCard, replaceCard, restoreCard, type Card, type Column } from "./columns";

function card(id: string, stage: string, version = 1): Card {
  return { id, number: Number(id.replace(/\D/g, "")) || 1, title: id, stage, version, customer: { name: "X", phone: "+7" } };
}

function board(): Column[] {
  return [
    { stage: "intake", title: "Оформление", count: 3, cards: [card("a1", "intake"), card("a2", "intake"), card("a3", "intake")] },
    { stage: "measurement", title: "Замер", count: 1, cards: [card("b1", "measurement")] },
    { stage: "contract", title: "Договор", count: 0, cards: [] },
  ];
}

const counts = (columns: Column[]): number[] => columns.map((c) => c.count);
const ids = (columns: Column[], i: number): string[] => columns[i]?.cards.map((c) => c.id) ?? [];

describe("replaceCard", () => {
  it("keeps a card of the same stage in its place and leaves other columns untouched", () => {
    const before = board();
    const after = replaceCard(before, "a2", { ...card("a2", "intake", 2), title: "new" });
    expect(ids(after, 0)).toEqual(["a1", "a2", "a3"]);
    expect(after[0]?.cards[1]?.title).toBe("new");
    expect(after[0]?.cards[0]).toBe(before[0]?.cards[0]);
    expect(after[1]).toBe(before[1]);
    expect(counts(after)).toEqual([3, 1, 0]);
  });

  it("moves a card whose stage changed to the top of its new column and fixes both counts", () => {
    const after = replaceCard(board(), "a3", card("a3", "measurement", 2));
    expect(ids(after, 0)).toEqual(["a1", "a2"]);
    expect(ids(after, 1)).toEqual(["a3", "b1"]);
    expect(counts(after)).toEqual([2, 2, 0]);
  });

  it("removes a card the board no longer shows, and adds one it did not have", () => {
    const removed = replaceCard(board(), "b1", null);
    expect(ids(removed, 1)).toEqual([]);
    expect(counts(removed)).toEqual([3, 0, 0]);
    expect(replaceCard(board(), "zz", null)).toEqual(board());
    const added = replaceCard(board(), "c9", card("c9", "contract"));
    expect(ids(added, 2)).toEqual(["c9"]);
    expect(counts(added)).toEqual([3, 1, 1]);
  });

  it("ignores a read older than what the board holds", () => {
    const before = replaceCard(board(), "a1", card("a1", "measurement", 5));
    expect(replaceCard(before, "a1", card("a1", "intake", 4))).toBe(before);
  });
});

describe("an optimistic move and its undo", () => {
  it("moves ahead of the server and puts the card back exactly where it was", () => {
    const before = board();
    const moved = moveCard(before, "a2", "contract", new Date("2026-03-12T10:00:00Z"));
    expect(ids(moved, 0)).toEqual(["a1", "a3"]);
    expect(moved[2]?.cards[0]).toMatchObject({ id: "a2", stage: "contract", stage_title: "Договор", stage_entered_at: "2026-03-12T10:00:00.000Z" });
    expect(counts(moved)).toEqual([2, 1, 1]);

    const place = findCard(before, "a2");
    expect(place).toMatchObject({ stage: "intake", index: 1 });
    const back = restoreCard(moved, before[0]!.cards[1]!, { stage: "intake", index: 1 });
    expect(ids(back, 0)).toEqual(["a1", "a2", "a3"]);
    expect(back[0]?.cards[1]).toBe(before[0]?.cards[1]);
    expect(counts(back)).toEqual([3, 1, 0]);
  });

  it("does nothing for an unknown card, an unknown column or the same column", () => {
    const before = board();
    expect(moveCard(before, "zz", "contract")).toBe(before);
    expect(moveCard(before, "a1", "nowhere")).toBe(before);
    expect(moveCard(before, "a1", "intake")).toBe(before);
  });
});

// The board's state changes, pure: one card replaced (moved to its new column when its stage
// changed, removed when it is gone), a card moved ahead of the server (optimistic), and put
// back exactly where it was when the server refused. Counts follow every change. Only the
// columns and cards that change get new objects: the others keep their identity, so React
// (and the memoised cards) leave them alone.
import type { Schemas } from "../../api/client";

export type Card = Schemas["BoardCard"];
export type Column = Schemas["Column"];
export type Place = { stage: string; index: number };

export function findCard(columns: readonly Column[], id: string): (Place & { card: Card }) | null {
  for (const column of columns) {
    const index = column.cards.findIndex((c) => c.id === id);
    const card = column.cards[index];
    if (card) return { stage: column.stage, index, card };
  }
  return null;
}

function without(columns: Column[], id: string): Column[] {
  return columns.map((column) => {
    const index = column.cards.findIndex((c) => c.id === id);
    if (index < 0) return column;
    return { ...column, count: Math.max(0, column.count - 1), cards: column.cards.filter((c) => c.id !== id) };
  });
}

function inserted(columns: Column[], card: Card, index = 0): Column[] {
  return columns.map((column) => {
    if (column.stage !== card.stage) return column;
    const cards = [...column.cards];
    cards.splice(Math.min(Math.max(index, 0), cards.length), 0, card);
    return { ...column, count: column.count + 1, cards };
  });
}

/**
 * The board after one card's fresh read: `card` null when the board no longer shows it (gone,
 * hidden, filtered out). A card in the same stage stays in its place; one whose stage changed
 * goes to the top of its new column ("most recently moved first"); an unknown one is added.
 * A read older than what the board holds (a lagging projection) changes nothing.
 */
export function replaceCard(columns: Column[], id: string, card: Card | null): Column[] {
  const found = findCard(columns, id);
  if (!card) return found ? without(columns, id) : columns;
  if (found && card.version < found.card.version) return columns;
  if (found && found.stage === card.stage) {
    return columns.map((column) =>
      column.stage === card.stage ? { ...column, cards: column.cards.map((c) => (c.id === id ? card : c)) } : column,
    );
  }
  return inserted(found ? without(columns, id) : columns, card);
}

/** The card shown in `to` before the server has answered (its time in stage restarts). */
export function moveCard(columns: Column[], id: string, to: string, now = new Date()): Column[] {
  const found = findCard(columns, id);
  const target = columns.find((c) => c.stage === to);
  if (!found || !target || found.stage === to) return columns;
  const moved: Card = { ...found.card, stage: to, stage_title: target.title, stage_entered_at: now.toISOString() };
  return inserted(without(columns, id), moved);
}

/** Put a card back where it was (after a refused move), wherever it is now. */
export function restoreCard(columns: Column[], card: Card, place: Place): Column[] {
  const back = card.stage === place.stage ? card : { ...card, stage: place.stage };
  return inserted(without(columns, card.id), back, place.index);
}

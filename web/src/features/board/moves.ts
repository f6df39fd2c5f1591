// Moving a card: shown in its new column at once, sent with the card's version
// (POST /orders/{id}/transitions), then replaced by the fresh board card; a refusal puts it
// back exactly where it was. What to do about a refusal is the screen's (dialogs).
import { useCallback } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { findCard, moveCard, replaceCard, restoreCard, type Card } from "./columns";
import type { BoardData } from "./useBoard";

export type MoveResult =
  | { ok: true; card: Card | null | undefined; order: Schemas["OrderCard"] }
  | { ok: false; error: unknown };

export type MoveOptions = { reason?: string; version?: number };

export function useMove(board: Pick<BoardData, "current" | "update" | "hold" | "freshCard">) {
  const { current, update, hold, freshCard } = board;
  return useCallback(
    async (id: string, to: string, options: MoveOptions = {}): Promise<MoveResult> => {
      const found = findCard(current(), id);
      const release = hold(id);
      if (found) update((cols) => moveCard(cols, id, to));
      try {
        const version = options.version ?? found?.card.version;
        const order = await ok(
          api.POST("/api/v1/orders/{order_id}/transitions", {
            params: { path: { order_id: id } },
            body: {
              to,
              ...(version !== undefined ? { expected_version: version } : {}),
              ...(options.reason ? { reason: options.reason } : {}),
            },
          }),
        );
        const card = await freshCard(id, order.version);
        if (card === undefined && found) {
          // The board's read side has not caught up yet: show what the command answered.
          const moved: Card = {
            ...found.card,
            stage: order.stage,
            stage_title: order.stage_title ?? null,
            stage_entered_at: order.stage_entered_at ?? null,
            version: order.version,
          };
          update((cols) => replaceCard(cols, id, moved));
        }
        return { ok: true, card, order };
      } catch (error) {
        if (found) update((cols) => restoreCard(cols, found.card, found));
        return { ok: false, error };
      } finally {
        release();
      }
    },
    [current, update, hold, freshCard],
  );
}

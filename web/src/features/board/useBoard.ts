// The board's data: loaded for the filters and language, then kept live. A `board` frame names
// one order: that card alone is re-read (GET /board/cards/{id} with the same filters) and put
// in place — moved to its new column, or removed when the board no longer shows it. Only
// `connected`, `resume` and `poll` (we may have missed frames) re-read the whole board.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, api, isAbort, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { live } from "../../realtime/stream";
import type { Lang } from "../../store/app";
import { findCard, replaceCard, type Card, type Column } from "./columns";
import { apiFilters, type Filters } from "./filters";

const LIMIT = 100;

export type BoardData = {
  columns: Column[] | null;
  error: string | null;
  /** Change the columns (an optimistic move, its undo). */
  update: (change: (columns: Column[]) => Column[]) => void;
  /** Read one card again and put it in place (null: the board does not show it). */
  refreshCard: (id: string) => Promise<Card | null | undefined>;
  /** Read one card until it shows at least `version` (the read side may lag a command). */
  freshCard: (id: string, version: number, isNew?: boolean) => Promise<Card | null | undefined>;
  reload: () => void;
  /** While an order is being moved its frames wait, then it is read once. */
  hold: (id: string) => () => void;
  current: () => Column[];
};

export function useBoard(filters: Filters, lang: Lang): BoardData {
  const tc = common.use();
  const [columns, setColumns] = useState<Column[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = { ...apiFilters(filters), lang };
  const key = JSON.stringify(query);
  const queryRef = useRef(query);
  queryRef.current = query;
  const columnsRef = useRef<Column[]>([]);
  columnsRef.current = columns ?? [];
  const loading = useRef<AbortController | null>(null);
  const held = useRef(new Map<string, number>());
  const missed = useRef(new Set<string>());
  const reading = useRef(new Map<string, Promise<Card | null | undefined>>());
  const tcRef = useRef(tc);
  tcRef.current = tc;

  const load = useCallback(() => {
    loading.current?.abort();
    const controller = new AbortController();
    loading.current = controller;
    ok(api.GET("/api/v1/board", { params: { query: { ...queryRef.current, limit: LIMIT } }, signal: controller.signal }))
      .then((board) => {
        setColumns(board.columns);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorText(err, tcRef.current));
      });
  }, []);

  useEffect(() => {
    load();
    return () => loading.current?.abort();
  }, [key, load]);

  const readCard = useCallback(async (id: string): Promise<Card | null | undefined> => {
    try {
      return await ok(api.GET("/api/v1/board/cards/{order_id}", { params: { path: { order_id: id }, query: queryRef.current } }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      return undefined; // unknown: leave the card as it is; the next poll catches up
    }
  }, []);

  const refreshCard = useCallback(
    (id: string): Promise<Card | null | undefined> => {
      if (held.current.has(id)) {
        missed.current.add(id);
        return Promise.resolve(undefined);
      }
      const pending = reading.current.get(id);
      if (pending) {
        // A read is on its way: one more after it, so the last frame is never lost.
        missed.current.add(id);
        return pending;
      }
      const read = readCard(id).then((card) => {
        reading.current.delete(id);
        if (card !== undefined) setColumns((cols) => (cols ? replaceCard(cols, id, card) : cols));
        if (missed.current.delete(id)) void refreshCard(id);
        return card;
      });
      reading.current.set(id, read);
      return read;
    },
    [readCard],
  );

  const freshCard = useCallback(
    async (id: string, version: number, isNew = false): Promise<Card | null | undefined> => {
      for (let attempt = 0; attempt < 12; attempt++) {
        // A new order reaches the board in well under a second (its frame usually brings it
        // first): wait a little before asking, rather than be told 404.
        if (isNew) await new Promise((resolve) => setTimeout(resolve, 700));
        // Already read from the board (its frame came first): nothing more to do.
        if (isNew && findCard(columnsRef.current, id)?.card.documents != null) return undefined;
        const card = await readCard(id);
        // A new order may not have reached the board yet: its 404 means "not yet".
        if ((card === null && !isNew) || (card && card.version >= version)) {
          setColumns((cols) => (cols ? replaceCard(cols, id, card) : cols));
          return card;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return undefined;
    },
    [readCard],
  );

  const hold = useCallback(
    (id: string) => {
      held.current.set(id, (held.current.get(id) ?? 0) + 1);
      return () => {
        const n = (held.current.get(id) ?? 1) - 1;
        if (n > 0) held.current.set(id, n);
        else held.current.delete(id);
        if (n <= 0 && missed.current.delete(id)) void refreshCard(id);
      };
    },
    [refreshCard],
  );

  useEffect(
    () =>
      live.subscribe((event) => {
        if (event.type === "board") {
          const id = (event.data as { order_id?: unknown } | null)?.order_id;
          if (typeof id === "string") void refreshCard(id);
        } else if (event.type === "connected" || event.type === "resume" || event.type === "poll") {
          load();
        }
      }),
    [load, refreshCard],
  );

  const update = useCallback((change: (cols: Column[]) => Column[]) => {
    setColumns((cols) => (cols ? change(cols) : cols));
  }, []);

  const current = useCallback(() => columnsRef.current, []);

  return useMemo(
    () => ({ columns, error, update, refreshCard, freshCard, reload: load, hold, current }),
    [columns, error, update, refreshCard, freshCard, load, hold, current],
  );
}

// The manager's board (#/board): every stage a column in pipeline order, with its count and
// its first cards, kept live card by card. Those who may move orders drag cards between
// columns (mouse, finger, keyboard); a refused move keeps the card's place and opens the
// dialog that says why and supplies what is missing. Filters live in the link.
import { DndContext, DragOverlay, type DragEndEvent, type DragStartEvent } from "@dnd-kit/core";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from "react";
import { useLocation, useSearch } from "wouter";
import { ApiError, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { may } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { rememberManagers, type Person } from "../customer/knownManagers";
import { CardBody, dragEnded } from "./BoardCard";
import { BoardColumn } from "./BoardColumn";
import { BoardToolbar } from "./BoardToolbar";
import { findCard, replaceCard, type Card } from "./columns";
import { announcements, overColumn, useBoardSensors } from "./dnd";
import { filtersQuery, parseFilters, type Filters } from "./filters";
import { GateDialog } from "./GateDialog";
import { STAGE_VISIT, type Unmet, type VisitKind } from "./gates";
import { m } from "./messages";
import { BookDialog, NotAllowedDialog, ReasonDialog } from "./MoveDialogs";
import { useMove, type MoveOptions, type MoveResult } from "./moves";
import { NewOrderDialog } from "./NewOrderDialog";
import { useBoard } from "./useBoard";
import "./board.css";

type Moving = { id: string; number: number; to: string; from: string };
type DialogState =
  | ({ type: "gate"; unmet: Unmet[] } & Moving)
  | ({ type: "reason" } & Moving)
  | ({ type: "not_allowed" } & Moving)
  | { type: "book"; id: string; number: number; kind: VisitKind; stage: string }
  | { type: "create" }
  | null;

/** The card as the board shows it, from a command's answer (until the board's own read). */
function cardOf(order: Schemas["OrderCard"]): Card {
  return {
    id: order.id,
    number: order.number,
    title: order.title,
    stage: order.stage,
    stage_title: order.stage_title ?? null,
    stage_entered_at: order.stage_entered_at ?? null,
    version: order.version,
    customer: order.customer,
    manager: order.manager ?? null,
    // No counts: the board's own read brings them (and that is how it is told apart).
  };
}

export function BoardScreen(): ReactElement {
  const lang = useApp((s) => s.lang);
  const me = useApp((s) => s.me);
  const toast = useApp((s) => s.toast);
  const t = useMemo(() => m.in(lang), [lang]);
  const tc = useMemo(() => common.in(lang), [lang]);
  const canDrag = may(me?.role, "stage.move");
  const mayBook = may(me?.role, "visits.book");

  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => parseFilters(search), [search]);
  const setFilters = useCallback(
    (next: Filters) => {
      const query = filtersQuery(next);
      navigate(`/board${query ? `?${query}` : ""}`, { replace: true });
    },
    [navigate],
  );

  const board = useBoard(filters, lang);
  const { columns, current, update, refreshCard, freshCard } = board;
  const move = useMove(board);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [dragged, setDragged] = useState<Card | null>(null);

  const titles = useRef(new Map<string, string>());
  for (const column of columns ?? []) titles.current.set(column.stage, column.title);
  const titleOf = useCallback((stage: string) => titles.current.get(stage) ?? stage, []);

  // Managers seen on cards: the manager filter's choices, and whom an order may be given to.
  const [managers, setManagers] = useState<Person[]>([]);
  useEffect(() => {
    const seen = new Map<string, string>();
    for (const column of columns ?? []) {
      for (const card of column.cards) {
        const person = card.manager;
        if (person && typeof person === "object" && person.display_name) seen.set(person.id, person.display_name);
      }
    }
    if (me && (me.role === "manager" || me.role === "director")) seen.set(me.id, me.display_name ?? me.username);
    const people = [...seen].map(([id, display_name]) => ({ id, display_name }));
    rememberManagers(people);
    setManagers((had) => {
      const all = new Map(had.map((p) => [p.id, p.display_name]));
      let grew = false;
      for (const p of people) if (!all.has(p.id)) (all.set(p.id, p.display_name), (grew = true));
      if (!grew) return had;
      return [...all].map(([id, display_name]) => ({ id, display_name })).sort((a, b) => a.display_name.localeCompare(b.display_name, "ru"));
    });
  }, [columns, me]);

  /** After a move: a stage that begins with a visit offers booking it right away. */
  const moved = useCallback(
    (id: string, number: number, to: string, card: Card | null | undefined) => {
      const kind = STAGE_VISIT[to];
      if (kind && mayBook && card?.next_visit?.kind !== kind) {
        setDialog({ type: "book", id, number, kind, stage: to });
      } else {
        setDialog(null);
      }
    },
    [mayBook],
  );

  /** Move and, when refused, open the dialog that deals with the refusal. */
  const drop = useCallback(
    async (id: string, to: string, options?: MoveOptions): Promise<MoveResult> => {
      const cols = current();
      const card = findCard(cols, id)?.card;
      const number = card?.number ?? 0;
      const moving: Moving = { id, number, to, from: card?.stage ?? "" };
      // Back a stage or cancelling needs a reason: ask first instead of being refused.
      const index = (stage: string): number => cols.findIndex((c) => c.stage === stage);
      if (!options?.reason && card && (to === "cancelled" || index(to) < index(card.stage))) {
        setDialog({ type: "reason", ...moving });
        return { ok: false, error: null };
      }
      const result = await move(id, to, options);
      if (result.ok) {
        moved(id, number, to, result.card);
        return result;
      }
      const err = result.error;
      if (err instanceof ApiError && err.code === "gate_unmet") {
        setDialog({ type: "gate", ...moving, unmet: Array.isArray(err.body.unmet) ? (err.body.unmet as Unmet[]) : [] });
      } else if (err instanceof ApiError && err.code === "reason_required") {
        setDialog({ type: "reason", ...moving });
      } else if (err instanceof ApiError && err.code === "transition_not_allowed") {
        setDialog({ type: "not_allowed", ...moving });
      } else if (err instanceof ApiError && err.code === "version_conflict") {
        void refreshCard(id);
        toast(t("move.conflict", { n: number }), "error");
      } else {
        toast(t("move.failed", { n: number, why: errorText(err, tc) }), "error");
      }
      return result;
    },
    [current, move, moved, refreshCard, toast, t, tc],
  );

  /** A move retried from a dialog: success closes it (or offers booking); a refusal stays in it. */
  const retry = useCallback(
    async (moving: Moving, options: MoveOptions): Promise<MoveResult> => {
      const result = await move(moving.id, moving.to, options);
      if (result.ok) {
        toast(t("move.moved", { n: moving.number, stage: titleOf(moving.to) }));
        moved(moving.id, moving.number, moving.to, result.card);
      }
      return result;
    },
    [move, moved, toast, t, titleOf],
  );

  const sensors = useBoardSensors();
  const accessibility = useMemo(
    () => ({ announcements: announcements(t, titleOf), screenReaderInstructions: { draggable: t("dnd.instructions") } }),
    [t, titleOf],
  );

  const onDragStart = useCallback((event: DragStartEvent) => {
    setDragged((event.active.data.current as { card?: Card } | undefined)?.card ?? null);
  }, []);
  const onDragEnd = useCallback(
    (event: DragEndEvent) => {
      dragEnded();
      setDragged(null);
      const card = (event.active.data.current as { card?: Card } | undefined)?.card;
      const to = event.over ? String(event.over.id) : null;
      if (card && to && to !== card.stage) void drop(card.id, to);
    },
    [drop],
  );
  const onDragCancel = useCallback(() => {
    dragEnded();
    setDragged(null);
  }, []);

  const onCreated = useCallback(
    (order: Schemas["OrderCard"]) => {
      update((cols) => replaceCard(cols, order.id, cardOf(order)));
      void freshCard(order.id, order.version, true);
    },
    [update, freshCard],
  );

  const total = columns ? columns.reduce((n, c) => n + c.count, 0) : null;
  const boardRef = useRef<HTMLDivElement>(null);
  const jumpTo = (stage: string): void => {
    boardRef.current?.querySelector(`[data-stage="${stage}"]`)?.scrollIntoView({ behavior: "smooth", inline: "start", block: "nearest" });
  };

  return (
    <div className="board-screen">
      <BoardToolbar
        filters={filters}
        onFilters={setFilters}
        managers={managers}
        total={total}
        onNewOrder={() => setDialog({ type: "create" })}
      />
      {board.error ? (
        <p className="error board-error" role="alert">
          {t("board.load_failed", { why: board.error })}{" "}
          <button type="button" onClick={board.reload}>
            {tc("common.reload")}
          </button>
        </p>
      ) : null}
      {columns === null ? (
        board.error ? null : <p className="muted pad">{tc("common.loading")}</p>
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={overColumn}
          accessibility={accessibility}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
          onDragCancel={onDragCancel}
        >
          <nav className="stage-jump" aria-label={t("board.jump")}>
            {columns.map((column) => (
              <button key={column.stage} type="button" className={`stage-chip stage-${column.stage}`} onClick={() => jumpTo(column.stage)}>
                {column.title} <span className="chip-count">{column.count}</span>
              </button>
            ))}
          </nav>
          {/* Focusable: the board scrolls sideways, and a keyboard user must be able to scroll it
              even when it holds no card to tab to (an empty board, a role that sees none). */}
          <div
            ref={boardRef}
            className={`board${dragged ? " is-dragging" : ""}`}
            role="region"
            aria-label={t("board.columns")}
            tabIndex={0}
          >
            {columns.map((column) => (
              <BoardColumn key={column.stage} column={column} draggable={canDrag} lang={lang} />
            ))}
          </div>
          <DragOverlay dropAnimation={null}>
            {dragged ? (
              <div className="card overlay">
                <CardBody card={dragged} lang={lang} />
              </div>
            ) : null}
          </DragOverlay>
        </DndContext>
      )}
      {dialog?.type === "gate" ? (
        <GateDialog
          key={`${dialog.id}-${dialog.to}`}
          orderId={dialog.id}
          number={dialog.number}
          toTitle={titleOf(dialog.to)}
          fromTitle={titleOf(dialog.from)}
          unmet={dialog.unmet}
          retry={(version) => retry(dialog, version === undefined ? {} : { version })}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog?.type === "reason" ? (
        <ReasonDialog
          number={dialog.number}
          to={dialog.to}
          toTitle={titleOf(dialog.to)}
          move={(reason) => retry(dialog, { reason })}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog?.type === "not_allowed" ? (
        <NotAllowedDialog
          orderId={dialog.id}
          number={dialog.number}
          toTitle={titleOf(dialog.to)}
          fromTitle={titleOf(dialog.from)}
          titleOf={titleOf}
          moveTo={(stage) => {
            setDialog(null);
            void drop(dialog.id, stage);
          }}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog?.type === "book" ? (
        <BookDialog
          orderId={dialog.id}
          number={dialog.number}
          kind={dialog.kind}
          stageTitle={titleOf(dialog.stage)}
          onBooked={() => {
            void refreshCard(dialog.id);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog?.type === "create" ? <NewOrderDialog onClose={() => setDialog(null)} onCreated={onCreated} /> : null}
    </div>
  );
}

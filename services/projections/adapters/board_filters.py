"""Which cards the board (or one card) shows: its filters as one SQL condition over a
board_cards row `c`, for the counts and the cards alike, so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.projections.adapters import pipeline_store


def overdue_of(card: str) -> str:
    """Whether the card `card` (an alias of a board_cards row) is past its stage's limit: for
    the stage entry it is in now, so a stage change clears it by itself. One definition for
    the flag a card shows and the `overdue` filter, so the two cannot disagree."""
    return (
        f"EXISTS (SELECT 1 FROM order_overdue o WHERE o.order_id = {card}.order_id"
        f" AND o.stage = {card}.stage AND o.entered_at >= {card}.stage_entered_at"
        " - interval '1 second')"
    )


@dataclass(frozen=True)
class BoardFilter:
    """Which cards the board (or one card) shows. `visible_to`, `production_view`: what the
    caller may see at all (the gateway sets them by role); the rest: what they asked for.
    `mine`: a user id: cards they manage, or with a visit or task assigned to them."""

    q: str | None = None
    manager: str | None = None
    assignee: str | None = None
    mine: str | None = None
    overdue: bool = False
    visible_to: str | None = None
    production_view: bool = False
    order_id: str | None = None


def _managed_by(n: int) -> str:
    """`c` is managed by `$n`: a user id, or a username resolved through the users model."""
    return (
        f"(c.manager_id = ${n} OR c.manager_id IN "
        f"(SELECT user_id::text FROM users WHERE username = ${n}))"
    )


def _assigned_to(n: int) -> str:
    """`c` has a booked visit or a task that is not cancelled assigned to `$n` (id or name)."""
    who = f"(SELECT user_id FROM users WHERE user_id::text = ${n} OR username = ${n})"
    return (
        f"(c.order_id IN (SELECT order_id FROM order_visits WHERE status = 'booked' "
        f"AND assignee_id IN {who}) OR c.order_id IN (SELECT order_id FROM order_tasks "
        f"WHERE status <> 'cancelled' AND assignee_id IN {who}))"
    )


def filters(f: BoardFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = ["true"]
    args: list[Any] = []

    def arg(value: Any) -> int:
        args.append(value)
        return len(args)

    if f.order_id is not None:
        clauses.append(f"c.order_id = ${arg(f.order_id)}::uuid")
    if f.q:
        clauses.append(f"c.search LIKE ${arg(f'%{f.q.lower()}%')}")
    if f.manager:
        clauses.append(_managed_by(arg(f.manager)))
    if f.assignee:
        clauses.append(_assigned_to(arg(f.assignee)))
    if f.mine:
        n = arg(f.mine)
        clauses.append(f"({_managed_by(n)} OR {_assigned_to(n)})")
    if f.overdue:
        clauses.append(overdue_of("c"))
    if f.visible_to is not None:
        clauses.append(
            f"c.order_id IN (SELECT order_id FROM order_access WHERE user_id = "
            f"${arg(f.visible_to)}::uuid)"
        )
    if f.production_view:
        # Production's stages are each order's own pipeline's (production and later), so the
        # filter joins the order's version rather than naming stages.
        clauses.append(pipeline_store.PRODUCTION_SEES)
    return " AND ".join(clauses), args


# The condition of a board nobody narrowed (no filter, every card visible): its counts per
# stage are stored (stage_counts), every other board's are counted from its cards.
ALL_CARDS, _ = filters(BoardFilter())

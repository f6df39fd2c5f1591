"""Durable stage timers: one row per order, claimed with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from plumbing.db import Conn


@dataclass(frozen=True)
class DueTimer:
    order_id: UUID
    stage: str
    entered_at: datetime
    due_at: datetime


async def start(conn: Conn, order_id: UUID, stage: str, entered_at: datetime, hours: float) -> None:
    # Replaces the previous stage's timer (a stage change cancels it), unless this entry is
    # older than the one we hold: a late, rewound event must not restart a newer timer.
    await conn.execute(
        "INSERT INTO stage_timers (order_id, stage, entered_at, due_at) "
        "VALUES ($1, $2, $3::timestamptz, $3::timestamptz + $4::interval) "
        " ON CONFLICT (order_id) DO UPDATE "
        "SET stage = $2, entered_at = $3, "
        "due_at = $3::timestamptz + $4::interval, status = 'pending', "
        "fired_at = NULL WHERE stage_timers.entered_at < $3",
        order_id,
        stage,
        entered_at,
        timedelta(hours=hours),
    )


async def stop(conn: Conn, order_id: UUID, entered_at: datetime) -> None:
    await conn.execute(
        "UPDATE stage_timers SET status = 'cancelled', entered_at = $2 "
        "WHERE order_id = $1 AND entered_at < $2",
        order_id,
        entered_at,
    )


async def reschedule_stage(conn: Conn, stage: str, hours: float | None) -> None:
    """A limit changed: pending timers of that stage follow it (or stop, without a limit)."""
    if hours is None:
        await conn.execute(
            "UPDATE stage_timers SET status = 'cancelled' WHERE stage = $1 AND status = 'pending'",
            stage,
        )
        return
    await conn.execute(
        "UPDATE stage_timers SET due_at = entered_at + $2::interval "
        "WHERE stage = $1 AND status = 'pending'",
        stage,
        timedelta(hours=hours),
    )


async def claim_due(conn: Conn, now: datetime, limit: int) -> list[DueTimer]:
    """Due timers, locked for this transaction. SKIP LOCKED: a second replica running the
    same loop takes other rows instead of waiting, and never the same row twice."""
    rows = await conn.fetch(
        "SELECT order_id, stage, entered_at, due_at FROM stage_timers "
        "WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2 "
        "FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [DueTimer(**dict(r)) for r in rows]


async def mark_fired(conn: Conn, order_id: UUID, now: datetime) -> None:
    await conn.execute(
        "UPDATE stage_timers SET status = 'fired', fired_at = $2 WHERE order_id = $1",
        order_id,
        now,
    )

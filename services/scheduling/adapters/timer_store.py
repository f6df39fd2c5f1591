"""Durable stage timers: one row per order, claimed with FOR UPDATE SKIP LOCKED.

A row holds when the order entered its stage; how long it may stay there is the limit of that
stage in the order's pipeline version, joined at claim time (see pipeline_store), so a timer
whose version has not arrived yet simply is not due until it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from plumbing.db import Conn


@dataclass(frozen=True)
class DueTimer:
    order_id: UUID
    stage: str
    entered_at: datetime
    limit_hours: float
    late_when_imported: bool = False


# The third step: when an imported stage entry (issue 20) reached us, by the database's clock.
IMPORTED_TIMERS_DDL = "ALTER TABLE stage_timers ADD COLUMN IF NOT EXISTS imported_at timestamptz;"


async def start(
    conn: Conn, order_id: UUID, stage: str, entered_at: datetime, *, imported: bool = False
) -> None:
    # Replaces the previous stage's timer (a stage change cancels it), unless this entry is
    # older than the one we hold: a late, rewound event must not restart a newer timer.
    await conn.execute(
        "INSERT INTO stage_timers (order_id, stage, entered_at, imported_at) "
        "VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END) "
        "ON CONFLICT (order_id) DO UPDATE "
        "SET stage = $2, entered_at = $3, status = 'pending', fired_at = NULL, "
        "imported_at = EXCLUDED.imported_at "
        "WHERE stage_timers.entered_at < $3",
        order_id,
        stage,
        entered_at,
        imported,
    )


async def stop(conn: Conn, order_id: UUID, entered_at: datetime) -> None:
    await conn.execute(
        "UPDATE stage_timers SET status = 'cancelled', entered_at = $2 "
        "WHERE order_id = $1 AND entered_at < $2",
        order_id,
        entered_at,
    )


async def claim_due(conn: Conn, now: datetime, limit: int) -> list[DueTimer]:
    """Due timers, locked for this transaction. SKIP LOCKED: a second replica running the
    same loop takes other rows instead of waiting, and never the same row twice."""
    rows = await conn.fetch(
        "SELECT t.order_id, t.stage, t.entered_at, s.limit_hours, "
        "coalesce(t.entered_at + make_interval(secs => s.limit_hours * 3600) <= t.imported_at, "
        "false) AS late_when_imported FROM stage_timers t "
        "JOIN known_orders k ON k.id = t.order_id "
        "JOIN pipeline_stages s ON s.version = k.pipeline_version AND s.key = t.stage "
        "WHERE t.status = 'pending' AND s.limit_hours IS NOT NULL "
        "AND t.entered_at + make_interval(secs => s.limit_hours * 3600) <= $1 "
        "ORDER BY t.entered_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED",
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

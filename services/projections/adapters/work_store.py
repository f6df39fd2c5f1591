"""Visits, tasks, media, overdue alerts and stage intervals: the rows behind a card's counts,
the per-person lists and the reports.

Every write is an upsert keyed by the fact's own id, so it does not matter whether the
order's card exists yet (events from other topics may overtake OrderCreated) and a replay in
another interleaving of topics reaches the same rows.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts.events.orders import MediaAttached
from contracts.events.scheduling import (
    OrderOverdue,
    TaskCreated,
    VisitBooked,
    VisitCheckedIn,
    VisitCheckedOut,
    VisitRescheduled,
)
from plumbing.db import Conn


async def upsert_visit(conn: Conn, event: VisitBooked | VisitRescheduled) -> None:
    await conn.execute(
        "INSERT INTO order_visits (visit_id, order_id, task_id, kind, assignee_id, starts_at, "
        "ends_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked') "
        "ON CONFLICT (visit_id) DO UPDATE SET assignee_id = $5, starts_at = $6, ends_at = $7, "
        "task_id = $3, status = 'booked'",
        event.visit_id,
        event.order_id,
        event.task_id,
        event.kind,
        event.assignee_id,
        event.starts_at,
        event.ends_at,
    )


async def record_on_site(conn: Conn, event: VisitCheckedIn | VisitCheckedOut) -> None:
    """Upsert by visit: a check-out replayed before its check-in (another interleaving)
    still reaches the same row."""
    # One of two fixed column names, never input.
    column = "checked_in_at" if isinstance(event, VisitCheckedIn) else "checked_out_at"
    await conn.execute(
        f"INSERT INTO visit_on_site (visit_id, assignee_id, {column}) VALUES ($1, $2, $3) "
        f"ON CONFLICT (visit_id) DO UPDATE SET {column} = $3",
        event.visit_id,
        event.assignee_id,
        event.at,
    )


async def cancel_visit(conn: Conn, visit_id: UUID) -> None:
    await conn.execute("UPDATE order_visits SET status = 'cancelled' WHERE visit_id = $1", visit_id)


async def upsert_task(conn: Conn, event: TaskCreated, at: datetime) -> None:
    # A completion seen first keeps its status: creation fills in every other column. It
    # happens: after the broker loses its data a new completion can overtake the republished
    # creation (make chaos found cards whose done task had lost its visit).
    await conn.execute(
        "INSERT INTO order_tasks (task_id, order_id, visit_id, kind, title, assignee_id, "
        "assignee_role, due_at, status, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) ON CONFLICT (task_id) DO UPDATE "
        "SET visit_id = $3, title = $5, assignee_id = $6, assignee_role = $7, due_at = $8, "
        "created_at = $9",
        event.task_id,
        event.order_id,
        event.visit_id,
        event.kind,
        event.title,
        event.assignee_id,
        event.assignee_role,
        event.due_at,
        at,
    )


async def close_task(
    conn: Conn, task_id: UUID, order_id: UUID | None, kind: str, status: str, at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO order_tasks (task_id, order_id, kind, status, closed_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (task_id) DO UPDATE SET status = $4, "
        "closed_at = $5",
        task_id,
        order_id,
        kind,
        status,
        at,
    )


async def attach_media(conn: Conn, event: MediaAttached) -> None:
    await conn.execute(
        "INSERT INTO order_media (media_id, order_id, kind, purpose) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (media_id) DO NOTHING",
        event.media_id,
        event.order_id,
        event.kind,
        event.purpose,
    )


async def media_purpose(conn: Conn, media_id: UUID) -> str | None:
    purpose: str | None = await conn.fetchval(
        "SELECT purpose FROM order_media WHERE media_id = $1", media_id
    )
    return purpose


async def detach_media(conn: Conn, media_id: UUID) -> None:
    await conn.execute("DELETE FROM order_media WHERE media_id = $1", media_id)


async def record_overdue(conn: Conn, event: OrderOverdue, at: datetime) -> None:
    # The flag is derived at read time (alert for the card's current stage entry), so a
    # stage change clears it without a write, whichever of the two events came first.
    await conn.execute(
        "INSERT INTO order_overdue (order_id, stage, entered_at, limit_hours, alerted_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        event.order_id,
        event.stage,
        event.entered_at,
        event.limit_hours,
        at,
    )


async def enter_stage(conn: Conn, order_id: UUID, stage: str, at: datetime, version: int) -> None:
    """Open an interval for `stage` at `version` and close the one before it.

    Order-independent on purpose: after the broker loses its data, a consumer can meet an
    order's newest stage change before the republished older ones (seen under the fault run:
    two open intervals, and a rebuild that disagreed). So each interval's end is the start of
    the next interval known, whichever arrives first; a replay finds its row and adds nothing.
    """
    await conn.execute(
        "UPDATE stage_intervals SET left_at = $2 WHERE order_id = $1 AND entered_version = "
        "(SELECT max(entered_version) FROM stage_intervals "
        " WHERE order_id = $1 AND entered_version < $3)",
        order_id,
        at,
        version,
    )
    await conn.execute(
        "INSERT INTO stage_intervals (order_id, entered_version, stage, entered_at, left_at) "
        "VALUES ($1, $2, $3, $4, (SELECT entered_at FROM stage_intervals "
        " WHERE order_id = $1 AND entered_version > $2 ORDER BY entered_version LIMIT 1)) "
        "ON CONFLICT DO NOTHING",
        order_id,
        version,
        stage,
        at,
    )


async def lock_feed(conn: Conn) -> None:
    """The realtime feed's append lock, to the end of the transaction (taking it again in the
    same transaction is free). The live consumer takes it first in every transaction
    (bootstrap.py): a batch of events then takes every other lock (a customer's, the stage
    counts' rows) under it, so two replicas' batches wait for each other here instead of
    deadlocking."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':changes'))")


async def record_change(
    conn: Conn,
    order_id: UUID,
    type_: str,
    stage: str | None,
    at: datetime,
    purpose: str | None = None,
) -> None:
    """One row of the realtime feed. Appends are serialized (a transaction-scoped lock, held
    to the commit; the live consumer has taken it at the transaction's start, lock_feed) so
    `seq` order is commit order and a poller reading `seq > after` never skips a row that
    commits late."""
    await lock_feed(conn)
    await conn.execute(
        "INSERT INTO changes (order_id, type, stage, at, purpose) VALUES ($1, $2, $3, $4, $5)",
        order_id,
        type_,
        stage,
        at,
        purpose,
    )

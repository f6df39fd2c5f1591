"""The reminders queue's SQL: claiming due reminders and marking them sent.

The table and its upkeep as visits move are in facts_store.py; the loop that sends them is
application/reminders.py, which holds the transaction these run in.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from plumbing.db import Conn


async def claim_due(conn: Conn, batch: int, now: datetime) -> list[asyncpg.Record]:
    """Due, unsent reminders with their order's number, locked for this transaction.

    SKIP LOCKED: two replicas claiming at once take different rows, never the same one twice.
    """
    return list(
        await conn.fetch(
            "SELECT r.visit_id, r.kind, r.user_id, r.order_id, r.visit_kind, r.starts_at, "
            "r.timezone, o.number FROM reminders r LEFT JOIN known_orders o USING (order_id) "
            "WHERE r.sent_at IS NULL AND r.due_at <= $2 "
            "ORDER BY r.due_at LIMIT $1 FOR UPDATE OF r SKIP LOCKED",
            batch,
            now,
        )
    )


async def mark_sent(conn: Conn, visit_id: UUID, kind: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE reminders SET sent_at = $3 WHERE visit_id = $1 AND kind = $2", visit_id, kind, now
    )

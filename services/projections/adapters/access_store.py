"""The access read model: which person was assigned work on which order.

DOMAIN.md: a field worker sees an order while, or after, a visit or task on it is assigned to
them personally. So access is only ever granted here, never withdrawn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.db import Conn
from services.projections.adapters import pipeline_store


async def grant(conn: Conn, order_id: UUID, user_id: UUID, via: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO order_access (order_id, user_id, via, since) VALUES ($1, $2, $3, $4) "
        # The earliest grant wins whatever order the topics interleave in (visit and task
        # events travel on different partitions), so a rebuild reaches the same row.
        "ON CONFLICT (order_id, user_id) DO UPDATE SET "
        "via = CASE WHEN EXCLUDED.since < order_access.since THEN EXCLUDED.via "
        "WHEN EXCLUDED.since = order_access.since THEN least(order_access.via, EXCLUDED.via) "
        "ELSE order_access.via END, since = least(order_access.since, EXCLUDED.since)",
        order_id,
        user_id,
        via,
        at,
    )


async def access(pool: asyncpg.Pool, order_id: UUID, user_id: UUID | None) -> dict[str, Any]:
    """`production_visible`: production sees the order in its stage under the order's own
    pipeline version (the gateway decides from it, naming no stage)."""
    row = await pool.fetchrow(
        "SELECT c.stage, c.version, EXISTS (SELECT 1 FROM order_access a "
        "WHERE a.order_id = $1 AND a.user_id = $2) AS assigned, "
        f"{pipeline_store.PRODUCTION_SEES} AS production_visible "
        "FROM board_cards c WHERE c.order_id = $1",
        order_id,
        user_id,
    )
    if row is None:
        return {"exists": False, "stage": None, "assigned": False, "production_visible": False}
    return {
        "exists": True,
        "stage": row["stage"],
        "assigned": row["assigned"],
        "production_visible": row["production_visible"],
    }

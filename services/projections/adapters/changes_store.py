"""Reads of the realtime feed (written by the handler, see work_store.record_change)."""

from __future__ import annotations

from typing import Any

import asyncpg


async def read(pool: asyncpg.Pool, after: int, limit: int) -> dict[str, Any]:
    async with pool.acquire() as conn:
        head = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM changes")
        rows = await conn.fetch(
            "SELECT c.seq, c.order_id::text AS order_id, c.type, "
            "coalesce(c.stage, b.stage) AS stage, c.at, c.purpose FROM changes c "
            "LEFT JOIN board_cards b ON b.order_id = c.order_id "
            "WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
            after,
            limit,
        )
    return {"head": head, "changes": [dict(r) for r in rows]}


async def prune(pool: asyncpg.Pool, keep_days: int = 2) -> None:
    """The feed is for live pushes: a client away longer refetches the board instead."""
    await pool.execute(
        "DELETE FROM changes WHERE at < now() - make_interval(days => $1)", keep_days
    )

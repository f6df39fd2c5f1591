"""What the closing forecast reads: closed orders' stage stays, open orders, booked visits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from contracts.pipeline import CANCELLED
from services.projections.domain.forecast import Stay

# Closed = in a terminal stage of its own version other than the refusal. `c` is a card.
CLOSED = (
    "EXISTS (SELECT 1 FROM pipeline_stages ps WHERE ps.version = c.pipeline_version "
    "AND ps.key = c.stage AND ps.terminal) AND c.stage <> $1"
)
# Open = not in a terminal stage of its own version (an unknown version counts as open: its
# card has no forecast until the version arrives, rather than vanishing from the report).
OPEN = (
    "NOT EXISTS (SELECT 1 FROM pipeline_stages ps WHERE ps.version = c.pipeline_version "
    "AND ps.key = c.stage AND ps.terminal)"
)


async def stays(pool: asyncpg.Pool, last_n: int) -> list[Stay]:
    """Each closed order's whole time per stage (stays summed), only the latest `last_n`
    per (version, stage) and per stage over all versions: all the forecast can use, and the
    rows read stay few however many orders have closed."""
    rows = await pool.fetch(
        "WITH closed AS (SELECT c.order_id, c.pipeline_version AS version, "
        f"c.stage_entered_at AS closed_at FROM board_cards c WHERE {CLOSED}), "
        "stays AS (SELECT cl.version, s.stage, cl.closed_at, cl.order_id, "
        "sum(extract(epoch FROM s.left_at - s.entered_at))::float8 AS seconds "
        "FROM closed cl JOIN stage_intervals s ON s.order_id = cl.order_id "
        "WHERE s.left_at IS NOT NULL GROUP BY 1, 2, 3, 4), "
        "ranked AS (SELECT *, row_number() OVER (PARTITION BY version, stage "
        "ORDER BY closed_at DESC, order_id) AS in_version, row_number() OVER (PARTITION BY "
        "stage ORDER BY closed_at DESC, order_id) AS overall FROM stays) "
        "SELECT version, stage, closed_at, seconds FROM ranked "
        "WHERE in_version <= $2 OR overall <= $2",
        CANCELLED,
        last_n,
    )
    return [Stay(r["version"], r["stage"], r["closed_at"], r["seconds"]) for r in rows]


async def open_orders(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT c.order_id::text AS order_id, c.number, c.title, c.stage, c.stage_entered_at, "
        f"c.pipeline_version, c.promised_date FROM board_cards c WHERE {OPEN} "
        "ORDER BY c.number"
    )
    return [dict(r) for r in rows]


async def visit_ends(
    pool: asyncpg.Pool, order_ids: Sequence[str]
) -> dict[str, dict[str, datetime]]:
    """Per order, per visit kind: when its latest booked visit ends."""
    rows = await pool.fetch(
        "SELECT order_id::text AS order_id, kind, max(ends_at) AS ends_at FROM order_visits "
        "WHERE status = 'booked' AND order_id = ANY($1::uuid[]) GROUP BY 1, 2",
        list(order_ids),
    )
    out: dict[str, dict[str, datetime]] = defaultdict(dict)
    for r in rows:
        out[r["order_id"]][r["kind"]] = r["ends_at"]
    return dict(out)

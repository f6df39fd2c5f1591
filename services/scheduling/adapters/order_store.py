"""Orders as scheduling knows them, from `orders.*` events: enough for bookings, robots and
stage timers (no customer data, no commercial fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from plumbing.db import Conn


@dataclass(frozen=True)
class KnownOrder:
    id: UUID
    number: int | None
    manager_id: str | None
    stage: str
    stage_entered_at: datetime
    pipeline_version: int


async def created(
    conn: Conn,
    order_id: UUID,
    number: int,
    manager_id: str | None,
    at: datetime,
    pipeline_version: int,
) -> None:
    await conn.execute(
        "INSERT INTO known_orders (id, number, manager_id, stage, stage_entered_at, "
        "pipeline_version) VALUES ($1, $2, $3, 'intake', $4, $5) ON CONFLICT (id) DO UPDATE "
        "SET number = $2, manager_id = coalesce(known_orders.manager_id, $3), "
        "pipeline_version = $5",
        order_id,
        number,
        manager_id,
        at,
        pipeline_version,
    )


async def entered_stage(conn: Conn, order_id: UUID, stage: str, at: datetime) -> None:
    # An older event arriving late (a rewind after broker loss) must not move the order back.
    await conn.execute(
        "INSERT INTO known_orders (id, stage, stage_entered_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (id) DO UPDATE SET stage = $2, stage_entered_at = $3 "
        "WHERE known_orders.stage_entered_at <= $3",
        order_id,
        stage,
        at,
    )


async def manager_assigned(conn: Conn, order_id: UUID, manager_id: str) -> None:
    await conn.execute(
        "UPDATE known_orders SET manager_id = $2 WHERE id = $1", order_id, manager_id
    )


async def get(conn: Conn, order_id: UUID) -> KnownOrder | None:
    row = await conn.fetchrow(
        "SELECT id, number, manager_id, stage, stage_entered_at, pipeline_version "
        "FROM known_orders WHERE id = $1",
        order_id,
    )
    return KnownOrder(**dict(row)) if row else None


async def exists(conn: Conn | asyncpg.Pool, order_id: UUID) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM known_orders WHERE id = $1)", order_id
    )
    return found


async def booked_visit_kinds(conn: Conn, order_id: UUID) -> frozenset[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT kind FROM visits WHERE order_id = $1 AND status = 'booked'", order_id
    )
    return frozenset(r["kind"] for r in rows)

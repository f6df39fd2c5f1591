"""May this person see this order? Asked of scheduling's own tables, for every action on an
order's tasks and visits, not only reads (the gateway asks the access read model first; this
repeats the check where the assignments themselves are kept, so a misrouted call or a rule
missed at the gateway still finds the door shut)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from contracts.envelope import Actor
from plumbing.db import Conn
from plumbing.errors import NotFound
from services.scheduling.adapters import order_store, pipeline_store, task_store
from services.scheduling.application.visit_tasks import actor_uuid
from services.scheduling.domain.access import Viewer, may_see_order


def viewer_of(actor: Actor) -> Viewer:
    return Viewer(actor_uuid(actor), str(actor.role))


async def sees_order(conn: Conn, viewer: Viewer, order_id: UUID) -> bool:
    if viewer.sees_all:
        return True
    involved = await task_store.involved(conn, order_id, viewer.user_id)
    order = await order_store.get(conn, order_id) if viewer.sees_by_stage else None
    pipeline = await pipeline_store.get(conn, order.pipeline_version) if order else None
    return may_see_order(
        viewer, involved=involved, stage=order.stage if order else None, pipeline=pipeline
    )


async def require_order(pool: asyncpg.Pool, actor: Actor, order_id: UUID) -> None:
    """404 for an order the caller may not see: indistinguishable from one that does not
    exist (API.md)."""
    async with pool.acquire() as conn:
        if not await sees_order(conn, viewer_of(actor), order_id):
            raise NotFound(f"order {order_id} not found")

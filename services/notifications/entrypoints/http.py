"""The caller's inbox."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from plumbing.actor import CurrentActor
from plumbing.errors import NotFound
from plumbing.state import PoolDep
from services.notifications.adapters import inbox_store

router = APIRouter()
MAX_POSITION = 2**63 - 1  # bigint: beyond it PostgreSQL refuses the parameter


@router.get("/notifications")
async def my_inbox(
    actor: CurrentActor, pool: PoolDep, unread: bool = False, lang: str = "ru"
) -> list[dict[str, Any]]:
    return await inbox_store.inbox(pool, UUID(str(actor.id)), unread, lang)


@router.get("/notifications/feed")
async def my_feed(
    actor: CurrentActor,
    pool: PoolDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None,
    lang: str = "ru",
) -> dict[str, Any]:
    """For the gateway's realtime stream: unread notifications after a position, in order."""
    return await inbox_store.feed(pool, UUID(str(actor.id)), after, lang)


@router.post("/notifications/{notification_id}/read")
async def read(notification_id: UUID, actor: CurrentActor, pool: PoolDep) -> dict[str, str]:
    if not await inbox_store.mark_read(pool, UUID(str(actor.id)), notification_id):
        raise NotFound(f"notification {notification_id} not found")
    return {"status": "read"}

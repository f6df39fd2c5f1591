"""The caller's inbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from plumbing.actor import CurrentActor
from plumbing.errors import NotFound
from plumbing.state import PoolDep
from services.notifications.adapters import inbox_store

router = APIRouter()


@router.get("/notifications")
async def my_inbox(
    actor: CurrentActor, pool: PoolDep, unread: bool = False, lang: str = "ru"
) -> list[dict[str, Any]]:
    return await inbox_store.inbox(pool, UUID(str(actor.id)), unread, lang)


@router.post("/notifications/{notification_id}/read")
async def read(notification_id: UUID, actor: CurrentActor, pool: PoolDep) -> dict[str, str]:
    if not await inbox_store.mark_read(pool, UUID(str(actor.id)), notification_id):
        raise NotFound(f"notification {notification_id} not found")
    return {"status": "read"}

"""The caller's inbox."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Request

from plumbing.actor import CurrentActor
from plumbing.errors import NotFound
from services.notifications.adapters import inbox_store

router = APIRouter()


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


@router.get("/notifications")
async def my_inbox(
    actor: CurrentActor, pool: Pool, unread: bool = False, lang: str = "ru"
) -> list[dict[str, Any]]:
    return await inbox_store.inbox(pool, UUID(str(actor.id)), unread, lang)


@router.post("/notifications/{notification_id}/read")
async def read(notification_id: UUID, actor: CurrentActor, pool: Pool) -> dict[str, str]:
    if not await inbox_store.mark_read(pool, UUID(str(actor.id)), notification_id):
        raise NotFound(f"notification {notification_id} not found")
    return {"status": "read"}

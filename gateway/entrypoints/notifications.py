"""The caller's notification inbox."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from gateway.domain.visibility import strip_commercial
from gateway.entrypoints.deps import CurrentUser, UpstreamsDep, caller_of

router = APIRouter(prefix="/api/v1")


@router.get("/notifications")
async def inbox(
    user: CurrentUser,
    up: UpstreamsDep,
    unread: bool = False,
    lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru",
) -> Any:
    params = {"unread": str(unread).lower(), "lang": lang}
    reply = await up.call("notifications", "GET", "/notifications", caller_of(user), params=params)
    return strip_commercial(reply.body, user.role)


@router.post("/notifications/{notification_id}/read")
async def read(notification_id: UUID, user: CurrentUser, up: UpstreamsDep) -> Any:
    path = f"/notifications/{notification_id}/read"
    return (await up.call("notifications", "POST", path, caller_of(user))).body

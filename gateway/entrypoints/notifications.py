"""The caller's notification inbox."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from gateway.application.order_access import OrderAccess
from gateway.domain.visibility import strip_commercial
from gateway.entrypoints.deps import SignedIn, UpstreamsDep, caller_of

router = APIRouter(prefix="/api/v1")


@router.get("/notifications")
async def inbox(
    user: SignedIn,
    up: UpstreamsDep,
    unread: bool = False,
    lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru",
) -> Any:
    params = {"unread": str(unread).lower(), "lang": lang}
    caller = caller_of(user)
    reply = await up.call("notifications", "GET", "/notifications", caller, params=params)
    # Only items about orders the caller may see now (issue 11): a notification names an
    # order and often quotes it, and access changes after it was written (a visit
    # reassigned, a robot's message to a whole role). If access cannot be asked, the
    # read side's 503 goes back to the client: nothing is shown unchecked.
    access = OrderAccess(up, caller)
    items = [item for item in reply.body if await access.allows(item.get("order_id"))]
    return strip_commercial(items, user.role)


@router.post("/notifications/{notification_id}/read")
async def read(notification_id: UUID, user: SignedIn, up: UpstreamsDep) -> Any:
    path = f"/notifications/{notification_id}/read"
    return (await up.call("notifications", "POST", path, caller_of(user))).body

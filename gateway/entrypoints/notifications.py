"""The caller's notification inbox."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from contracts.api.errors import errors
from contracts.api.notifications import INBOX, READ, Notification, Read
from gateway.application.order_access import OrderAccess
from gateway.entrypoints.deps import SignedIn, UpstreamsDep, caller_of
from gateway.entrypoints.typed import shown

router = APIRouter(prefix="/api/v1")


@router.get("/notifications", response_model=list[Notification], responses=errors(401, 422, 503))
async def inbox(
    user: SignedIn,
    up: UpstreamsDep,
    unread: bool = False,
    lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru",
) -> Response:
    params = {"unread": str(unread).lower(), "lang": lang}
    caller = caller_of(user)
    reply = await up.call("notifications", "GET", "/notifications", caller, params=params)
    # Only items about orders the caller may see now (issue 11): a notification names an
    # order and often quotes it, and access changes after it was written (a visit
    # reassigned, a robot's message to a whole role). If access cannot be asked, the
    # read side's 503 goes back to the client: nothing is shown unchecked.
    access = OrderAccess(up, caller)
    items = [item for item in reply.body if await access.allows(item.get("order_id"))]
    return shown(items, INBOX, user)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=Read,
    responses=errors(401, 404, 422, 503),
)
async def read(notification_id: UUID, user: SignedIn, up: UpstreamsDep) -> Response:
    path = f"/notifications/{notification_id}/read"
    return shown((await up.call("notifications", "POST", path, caller_of(user))).body, READ, user)

"""The caller's notification inbox."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from contracts.api.errors import errors
from contracts.api.notifications import (
    DELIVERIES,
    INBOX,
    PREFERENCES,
    READ,
    Delivery,
    Notification,
    Preferences,
    PreferencesIn,
    Read,
)
from gateway.application.order_access import OrderAccess
from gateway.entrypoints.auth import Admin
from gateway.entrypoints.deps import SignedIn, UpstreamsDep, caller_of
from gateway.entrypoints.typed import relayed, sent, shown

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


@router.get("/notifications/preferences", response_model=Preferences, responses=errors(401, 503))
async def my_preferences(user: SignedIn, up: UpstreamsDep) -> Response:
    """Which kinds of notice reach the caller on which channels, and their quiet hours."""
    reply = await up.call("notifications", "GET", "/notifications/preferences", caller_of(user))
    return relayed(reply, PREFERENCES, user)


@router.put(
    "/notifications/preferences",
    response_model=Preferences,
    responses=errors(401, 413, 422, 503),
)
async def set_preferences(body: PreferencesIn, user: SignedIn, up: UpstreamsDep) -> Response:
    """Only the choices named change; `quiet_hours: null` turns quiet hours off. A field role
    may not send beyond the inbox what may name an order they do not see (422)."""
    reply = await up.call(
        "notifications", "PUT", "/notifications/preferences", caller_of(user), json=sent(body)
    )
    return relayed(reply, PREFERENCES, user)


@router.get(
    "/notifications/deliveries",
    response_model=list[Delivery],
    responses=errors(401, 403, 422, 503),
)
async def deliveries(
    admin: Admin,
    up: UpstreamsDep,
    state: Literal["pending", "sent", "gone", "parked", "cancelled"] | None = None,
    order_id: UUID | None = None,
) -> Response:
    """Admins: the newest deliveries of every channel; `state=parked`: those that kept
    failing or were refused, for someone to look at (an address, the error); `order_id`:
    those about one order, the customer's confirmation SMS among them."""
    params: dict[str, str] = {}
    if state:
        params["state"] = state
    if order_id:
        params["order_id"] = str(order_id)
    reply = await up.call(
        "notifications", "GET", "/notifications/deliveries", caller_of(admin), params=params or None
    )
    return relayed(reply, DELIVERIES, admin)

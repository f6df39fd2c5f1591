"""The caller's own delivery channels: Web Push subscriptions of their devices and the
Telegram link (issue 16). Each acts on the caller's own addresses only; none names an order,
so there is nothing of an order to filter."""

from __future__ import annotations

from fastapi import APIRouter, Response

from contracts.api.errors import errors
from contracts.api.push import (
    LINK_CODE,
    REMOVED,
    SUBSCRIBED,
    VAPID_KEY,
    PushRemoved,
    PushSubscribed,
    PushSubscriptionIn,
    PushUnsubscribe,
    TelegramLinkCode,
    VapidPublicKey,
)
from gateway.entrypoints.deps import SignedIn, UpstreamsDep, caller_of
from gateway.entrypoints.typed import SmallBodyRoute, relayed, sent

router = APIRouter(prefix="/api/v1", route_class=SmallBodyRoute)


@router.get("/push/vapid-public-key", response_model=VapidPublicKey, responses=errors(401, 503))
async def vapid_public_key(user: SignedIn, up: UpstreamsDep) -> Response:
    """The server's VAPID key, for PushManager.subscribe({applicationServerKey})."""
    reply = await up.call("notifications", "GET", "/push/vapid-public-key", caller_of(user))
    return relayed(reply, VAPID_KEY, user)


@router.post(
    "/push/subscriptions",
    status_code=201,
    response_model=PushSubscribed,
    responses={
        200: {"model": PushSubscribed, "description": "this device was already subscribed"},
        **errors(401, 413, 422, 503),
    },
)
async def subscribe(body: PushSubscriptionIn, user: SignedIn, up: UpstreamsDep) -> Response:
    """This device's subscription (PushSubscription.toJSON()): idempotent on the endpoint."""
    caller = caller_of(user)
    reply = await up.call("notifications", "POST", "/push/subscriptions", caller, json=sent(body))
    return relayed(reply, SUBSCRIBED, user, reply.status)


@router.delete(
    "/push/subscriptions", response_model=PushRemoved, responses=errors(401, 404, 413, 422, 503)
)
async def unsubscribe(body: PushUnsubscribe, user: SignedIn, up: UpstreamsDep) -> Response:
    caller = caller_of(user)
    reply = await up.call("notifications", "DELETE", "/push/subscriptions", caller, json=sent(body))
    return relayed(reply, REMOVED, user)


@router.post(
    "/telegram/link-code",
    status_code=201,
    response_model=TelegramLinkCode,
    responses=errors(401, 404, 503),
)
async def telegram_link_code(user: SignedIn, up: UpstreamsDep) -> Response:
    """A one-time code (ten minutes) and the bot's deep link that links the caller's chat."""
    reply = await up.call("notifications", "POST", "/telegram/link-code", caller_of(user))
    return relayed(reply, LINK_CODE, user, reply.status)

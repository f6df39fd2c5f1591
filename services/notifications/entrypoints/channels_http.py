"""The caller's own delivery addresses: Web Push subscriptions and the Telegram link.

The gateway has already validated the bodies against contracts/api/push.py; the service
checks them again with the same models, so a call that bypasses the gateway gets the same
refusal, never a half-written row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Response

from contracts.api.push import PushSubscriptionIn, PushUnsubscribe
from plumbing.actor import CurrentActor
from plumbing.errors import DomainError, Invalid, NotFound
from plumbing.state import PoolDep
from services.notifications.adapters import push_store, telegram_store


class NotConfigured(DomainError):
    """A channel this deployment has not set up: nothing to find here (a 404 with its own
    code), not a failure of the server."""

    status = 404
    code = "channel_not_configured"


def known_push_service(endpoint: str, hosts: Sequence[str]) -> bool:
    """Is the endpoint on one of the push services (a host or a subdomain of one)?"""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == known or host.endswith("." + known) for known in hosts
    )


def channels_router(
    vapid_key: str,
    telegram_bot_username: str,
    push_hosts: Sequence[str] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> APIRouter:
    router = APIRouter()

    @router.get("/push/vapid-public-key")
    async def vapid_public_key(_actor: CurrentActor) -> dict[str, str]:
        # Signed-in callers only, like every route of the service (the key is not secret).
        if not vapid_key:
            raise NotConfigured("Web Push is not configured on this server (VAPID keys)")
        return {"public_key": vapid_key}

    @router.post("/push/subscriptions")
    async def subscribe(
        body: PushSubscriptionIn, actor: CurrentActor, pool: PoolDep, response: Response
    ) -> dict[str, Any]:
        if not known_push_service(body.endpoint, push_hosts):
            raise Invalid(
                "endpoint: not a browser push service's address",
                code="push_service_unknown",
            )
        async with pool.acquire() as conn:
            sub, created = await push_store.subscribe(
                conn, UUID(str(actor.id)), body.endpoint, body.keys.p256dh, body.keys.auth
            )
        response.status_code = 201 if created else 200
        return {"id": str(sub.id), "endpoint": sub.endpoint, "created": created}

    @router.delete("/push/subscriptions")
    async def unsubscribe(
        body: PushUnsubscribe, actor: CurrentActor, pool: PoolDep
    ) -> dict[str, str]:
        async with pool.acquire() as conn:
            if not await push_store.unsubscribe(conn, UUID(str(actor.id)), body.endpoint):
                raise NotFound("no push subscription of yours has this endpoint")
        return {"status": "removed"}

    @router.post("/telegram/link-code", status_code=201)
    async def link_code(actor: CurrentActor, pool: PoolDep) -> dict[str, str]:
        if not telegram_bot_username:
            raise NotConfigured("Telegram is not configured on this server (bot token)")
        async with pool.acquire() as conn:
            made = await telegram_store.new_code(conn, UUID(str(actor.id)), clock())
        return {
            "code": made.code,
            "deep_link": f"https://t.me/{telegram_bot_username}?start={made.code}",
            "expires_at": made.expires_at.isoformat(),
        }

    return router

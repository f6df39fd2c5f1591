"""The caller's inbox."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request

from contracts.api.notifications import PreferencesIn
from contracts.envelope import Actor
from contracts.roles import may
from plumbing.actor import CurrentActor
from plumbing.db import Conn
from plumbing.errors import Forbidden, Invalid, NotFound
from plumbing.state import PoolDep
from services.notifications.adapters import inbox_store, outbox_store, preferences_store
from services.notifications.domain import routing

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


@router.get("/notifications/news")
async def news(
    actor: CurrentActor,
    pool: PoolDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None,
) -> dict[str, Any]:
    """For the gateway's live streams, one ask per gateway process: `{head, users}`, the ids
    of users with notifications after position `after` (no content: each stream then reads
    its own feed). The gateway's own call, as `/changes` of the projections is: who has news
    is nobody's business but the gateway's, so a call made for a person is refused."""
    if actor.role != "gateway":
        raise Forbidden("only the gateway's live streams ask who has news")
    return await inbox_store.news(pool, after)


@router.post("/notifications/{notification_id}/read")
async def read(notification_id: UUID, actor: CurrentActor, pool: PoolDep) -> dict[str, str]:
    if not await inbox_store.mark_read(pool, UUID(str(actor.id)), notification_id):
        raise NotFound(f"notification {notification_id} not found")
    return {"status": "read"}


@router.get("/notifications/preferences")
async def my_preferences(actor: CurrentActor, pool: PoolDep, request: Request) -> dict[str, Any]:
    async with pool.acquire() as conn:
        return await _preferences(conn, actor, request.app.state.channel_names)


@router.put("/notifications/preferences")
async def set_preferences(
    body: PreferencesIn, actor: CurrentActor, pool: PoolDep, request: Request
) -> dict[str, Any]:
    """Only the choices named change; quiet hours: null turns them off, absent keeps them."""
    user = UUID(str(actor.id))
    role = actor.role or ""
    choices: dict[tuple[str, str], bool] = {}
    for kind, channels in body.choices.items():
        for channel, on in channels.items():
            if on and channel != "inapp" and not routing.may_leave_app(role, kind, True):
                raise Invalid(
                    f"choices.{kind}.{channel}: for role {role} this kind stays in the app "
                    "(it may name an order they no longer see)",
                    code="channel_not_allowed",
                )
            choices[(kind, channel)] = on
    quiet = None
    if body.quiet_hours is not None:
        q = body.quiet_hours
        try:
            ZoneInfo(q.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(
                f"quiet_hours.timezone: unknown time zone {q.timezone!r}", code="invalid_timezone"
            ) from None
        quiet = (time.fromisoformat(q.start), time.fromisoformat(q.end), q.timezone)
    clear = "quiet_hours" in body.model_fields_set and body.quiet_hours is None
    async with pool.acquire() as conn, conn.transaction():
        await preferences_store.save(conn, user, choices, quiet, clear)
        return await _preferences(conn, actor, request.app.state.channel_names)


async def _preferences(conn: Conn, actor: Actor, channel_names: list[str]) -> dict[str, Any]:
    user = UUID(str(actor.id))
    role = actor.role or ""
    chosen = await preferences_store.chosen(conn, user)
    quiet = await preferences_store.quiet(conn, user)
    return {
        "kinds": list(routing.KINDS),
        "channels": channel_names,
        "choices": {
            k: {c: routing.enabled(role, k, c, chosen) for c in channel_names}
            for k in routing.KINDS
        },
        "locked": {
            k: [c for c in channel_names if c != "inapp"]
            for k in routing.KINDS
            if not routing.may_leave_app(role, k, True)
        },
        "quiet_hours": None
        if quiet is None
        else {
            "start": quiet.start.strftime("%H:%M"),
            "end": quiet.end.strftime("%H:%M"),
            "timezone": quiet.timezone,
        },
    }


@router.get("/notifications/deliveries")
async def deliveries(
    actor: CurrentActor,
    pool: PoolDep,
    state: Literal["pending", "sent", "gone", "parked", "cancelled"] | None = None,
    order_id: UUID | None = None,
) -> list[dict[str, Any]]:
    """Admins: deliveries, newest first (`state=parked`: the ones that need a look;
    `order_id`: those about one order, the customer's SMS among them)."""
    if not may(actor.role or "", "users.admin"):
        raise Forbidden("only administrators see deliveries")
    return await outbox_store.listing(pool, state, order_id=order_id)

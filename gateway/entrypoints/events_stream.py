"""Realtime pushes (API.md: GET /api/v1/events/stream), as server-sent events.

Board changes and chat: the gateway polls the projections' changes feed (`seq`-ordered,
committed in order) and pushes each change the caller may see: the same access rule as every
per-order read (require_order_access) and no field values at all, only `{seq, order_id, type,
stage}`, so there is nothing commercial to strip beyond the change kinds themselves
(may_see_change). A comment line every 15 s keeps proxies from closing an idle stream.
Clients refetch the board or the card when a change arrives. Notifications: the caller's
inbox is polled every 2 s and each new unread item is pushed once (`event: notification`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from gateway.domain.visibility import (
    CHAT_EVENT_TYPES,
    may_see_change,
    strip_commercial,
)
from gateway.entrypoints.deps import CurrentUser, UpstreamsDep, caller_of
from plumbing.errors import DomainError

router = APIRouter(prefix="/api/v1")
POLL_S = 0.5
INBOX_POLL_S = 2.0
HEARTBEAT_S = 15.0
FAR = 2**62


async def _visible(upstreams: Upstreams, caller: Caller, change: dict[str, Any]) -> bool:
    if not may_see_change(caller.role, str(change["type"])):
        return False
    try:
        await require_order_access(upstreams, caller, UUID(str(change["order_id"])))
    except DomainError:
        return False  # not theirs (404) or the read side is away: push nothing
    return True


async def _new_notifications(
    upstreams: Upstreams, caller: Caller, seen: set[str]
) -> list[dict[str, Any]]:
    """The caller's unread notifications not pushed yet (the inbox is the source of truth;
    a missed push is still in the bell's list)."""
    try:
        reply = await upstreams.call(
            "notifications", "GET", "/notifications", caller, params={"unread": "true"}
        )
    except DomainError:
        return []
    items: list[dict[str, Any]] = reply.body
    fresh = [n for n in items if str(n["id"]) not in seen]
    seen.update(str(n["id"]) for n in items)
    return fresh


def _notification_frame(item: dict[str, Any], role: str) -> str:
    # No `id:` line: Last-Event-ID resumes the change feed, whose ids are its sequence.
    data = strip_commercial(
        {k: item.get(k) for k in ("id", "order_id", "text", "created_at")}, role
    )
    return f"event: notification\ndata: {json.dumps(data, default=str, ensure_ascii=False)}\n\n"


def _frame(change: dict[str, Any]) -> str:
    kind = "chat" if change["type"] in CHAT_EVENT_TYPES else "board"
    data = {k: change.get(k) for k in ("seq", "order_id", "type", "stage", "at")}
    return f"event: {kind}\nid: {change['seq']}\ndata: {json.dumps(data, default=str)}\n\n"


async def changes_for(
    upstreams: Upstreams, caller: Caller, after: int | None, is_gone: Any
) -> AsyncIterator[str]:
    feed = "/changes"
    if after is None:  # start from now: the client loaded the board just before
        after = int(
            (await upstreams.call("projections", "GET", feed, caller, params={"after": FAR})).body[
                "head"
            ]
        )
    yield f"event: ready\ndata: {json.dumps({'seq': after})}\n\n"
    beat = time.monotonic() + HEARTBEAT_S
    seen: set[str] = set()
    await _new_notifications(upstreams, caller, seen)  # what is already unread is not news
    next_inbox = time.monotonic() + INBOX_POLL_S
    while not await is_gone():
        if time.monotonic() >= next_inbox:
            next_inbox = time.monotonic() + INBOX_POLL_S
            for item in await _new_notifications(upstreams, caller, seen):
                yield _notification_frame(item, caller.role)
        try:
            page = (
                await upstreams.call("projections", "GET", feed, caller, params={"after": after})
            ).body
        except DomainError:
            page = {"head": after, "changes": []}  # projections away: keep the stream, retry
        after = min(after, int(page["head"]))  # the read models were rebuilt with a shorter feed
        for change in page["changes"]:
            after = int(change["seq"])
            if await _visible(upstreams, caller, change):
                yield _frame(change)
        if time.monotonic() >= beat:
            beat = time.monotonic() + HEARTBEAT_S
            yield ": heartbeat\n\n"
        if not page["changes"]:
            await asyncio.sleep(POLL_S)


@router.get("/events/stream")
async def stream(request: Request, user: CurrentUser, upstreams: UpstreamsDep) -> StreamingResponse:
    last = request.headers.get("Last-Event-ID")
    after = int(last) if last and last.isdigit() else None
    return StreamingResponse(
        changes_for(upstreams, caller_of(user), after, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

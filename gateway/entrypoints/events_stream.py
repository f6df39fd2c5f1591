"""Realtime pushes (API.md: GET /api/v1/events/stream), as server-sent events.

Two feeds, each pushed only as far as the caller may see it now (issue 11):
- board changes and chat: the projections' changes feed (`seq`-ordered, committed in
  order), each change through the same access rule as every per-order read
  (require_order_access) and with no field values at all, only `{seq, order_id, type,
  stage}`, so there is nothing commercial to strip beyond the change kinds themselves
  (may_see_change). Clients refetch the board or the card when a change arrives.
- notifications (`event: notification`): the caller's inbox feed, by position, each item
  about an order only if the caller may see that order.
Every frame's `id:` is a cursor over both (gateway.domain.stream_cursor), so a reconnect
with `Last-Event-ID` misses nothing. The caller is re-checked every second (StreamGuard):
when the token expires, the user is deactivated or their role changes, or the session ends
(a logout, a password reset), an `event: reauth` frame says why and the stream ends. A
comment line every 15 s keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from contracts.api.audience import audience_of
from contracts.api.errors import errors
from contracts.api.notifications import PUSHED, STREAM_EVENT
from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.order_access import OrderAccess
from gateway.application.stream_guard import StreamGuard
from gateway.domain.stream_cursor import Cursor, parse_cursor
from gateway.domain.visibility import CHAT_EVENT_TYPES, may_see_change
from gateway.entrypoints.deps import SignedIn, SignInDep, TokensDep, UpstreamsDep, caller_of, oauth2
from plumbing.errors import DomainError

router = APIRouter(prefix="/api/v1")
POLL_S = 0.5
INBOX_POLL_S = 2.0
RECHECK_S = 1.0
HEARTBEAT_S = 15.0
PUSHED_KEYS = ("id", "order_id", "text", "created_at")
FAR = 2**62


@dataclass
class Position:
    """How far each feed has been pushed (or deliberately skipped) on this stream."""

    changes: int
    inbox: int | None  # None: the inbox could not be asked yet; it starts from its end

    def cursor(self) -> str:
        return str(Cursor(self.changes, self.inbox))


def _sse(event: str, data: dict[str, Any], event_id: str | None = None) -> str:
    # `event:` then `data:`, as before ids were added: simple clients read the kind from a
    # frame's first line and its data from the next. SSE allows fields in any order.
    id_line = f"id: {event_id}\n" if event_id is not None else ""
    payload = json.dumps(data, default=str, ensure_ascii=False)
    return f"event: {event}\ndata: {payload}\n{id_line}\n"


def _notification_frame(item: dict[str, Any], role: str, event_id: str) -> str:
    data = PUSHED.show({k: item.get(k) for k in PUSHED_KEYS}, audience_of(role))
    return _sse("notification", data, event_id)


def _change_frame(change: dict[str, Any], event_id: str) -> str:
    kind = "chat" if change["type"] in CHAT_EVENT_TYPES else "board"
    return _sse(
        kind, {k: change.get(k) for k in ("seq", "order_id", "type", "stage", "at")}, event_id
    )


async def _inbox_page(
    upstreams: Upstreams, caller: Caller, after: int | None, lang: str
) -> dict[str, Any] | None:
    params: dict[str, Any] = {"lang": lang}
    if after is not None:
        params["after"] = after
    try:
        reply = await upstreams.call(
            "notifications", "GET", "/notifications/feed", caller, params=params
        )
    except DomainError:
        return None  # notifications away: keep the stream, ask again on the next poll
    page: dict[str, Any] = reply.body
    return page


async def _new_notifications(
    upstreams: Upstreams, caller: Caller, at: Position, lang: str
) -> AsyncIterator[str]:
    page = await _inbox_page(upstreams, caller, at.inbox, lang)
    if page is None:
        return
    access = OrderAccess(upstreams, caller)
    for item in page["items"]:
        try:
            allowed = await access.allows(item.get("order_id"))
        except DomainError:
            return  # cannot check now: stop before this item and retry it, never push it unchecked
        at.inbox = int(item["seq"])
        if allowed:
            yield _notification_frame(item, caller.role, at.cursor())
    at.inbox = int(page["next"])


async def _new_changes(upstreams: Upstreams, caller: Caller, at: Position) -> AsyncIterator[str]:
    try:
        reply = await upstreams.call(
            "projections", "GET", "/changes", caller, params={"after": at.changes}
        )
    except DomainError:
        return  # projections away: keep the stream, retry
    page = reply.body
    at.changes = min(at.changes, int(page["head"]))  # the read models were rebuilt shorter
    access = OrderAccess(upstreams, caller)
    for change in page["changes"]:
        try:
            # The purpose too: a commercial document attached or detached is itself news a
            # role without commercial sight may not get.
            kind_ok = may_see_change(caller.role, str(change["type"]), change.get("purpose"))
            allowed = kind_ok and await access.allows(change["order_id"])
        except DomainError:
            return  # the access read model is away: retry this change, never push it unchecked
        at.changes = int(change["seq"])
        if allowed:
            yield _change_frame(change, at.cursor())


async def pushes_for(
    upstreams: Upstreams,
    caller: Caller,
    guard: StreamGuard,
    at: Position,
    lang: str,
    is_gone: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    yield _sse("ready", {"seq": at.changes, "cursor": at.cursor()}, at.cursor())
    now = time.monotonic()
    beat, next_inbox, next_check = now + HEARTBEAT_S, now, now + RECHECK_S
    while not await is_gone():
        if time.monotonic() >= next_check:
            next_check = time.monotonic() + RECHECK_S
            why = await guard.revoked()
            if why is not None:
                yield _sse("reauth", {"reason": why, "cursor": at.cursor()})
                return
        if time.monotonic() >= next_inbox:
            next_inbox = time.monotonic() + INBOX_POLL_S
            async for frame in _new_notifications(upstreams, caller, at, lang):
                yield frame
        before = at.changes
        async for frame in _new_changes(upstreams, caller, at):
            yield frame
        if time.monotonic() >= beat:
            beat = time.monotonic() + HEARTBEAT_S
            yield ": heartbeat\n\n"
        if at.changes == before:
            await asyncio.sleep(POLL_S)


async def _start(
    upstreams: Upstreams, caller: Caller, resume: Cursor | None, lang: str
) -> Position:
    """Where this stream starts: after the client's cursor, but never beyond the feeds' ends
    (a cursor from before a rebuild, or made up), else from now."""
    reply = await upstreams.call("projections", "GET", "/changes", caller, params={"after": FAR})
    head = int(reply.body["head"])
    if resume is None:
        page = await _inbox_page(upstreams, caller, None, lang)
        return Position(head, None if page is None else int(page["next"]))
    # The inbox part is clamped by the notifications service, and pushed from in the stream.
    return Position(min(resume.changes, head), resume.inbox)


STREAM = {
    200: {
        "description": "server-sent events: `board` and `chat` frames (StageChangePush), "
        "`notification` frames (PushedNotification), `ready` and `reauth`",
        "content": {"text/event-stream": {"schema": STREAM_EVENT}},
    },
    **errors(401, 422, 503),
}


@router.get("/events/stream", response_class=StreamingResponse, responses=STREAM)
async def stream(
    request: Request,
    user: SignedIn,
    token: Annotated[str | None, Depends(oauth2)],
    tokens: TokensDep,
    sign_in: SignInDep,
    upstreams: UpstreamsDep,
    lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru",
) -> StreamingResponse:
    caller = caller_of(user)
    assert token is not None  # SignedIn has checked it
    # Before the response starts, so a read side that is away is a clean 503, not a broken
    # stream.
    at = await _start(upstreams, caller, parse_cursor(request.headers.get("Last-Event-ID")), lang)
    guard = StreamGuard(tokens, sign_in, token, user)
    return StreamingResponse(
        pushes_for(upstreams, caller, guard, at, lang, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

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

What the streams of this process ask upstream is shared (LiveFeeds, issue 17): one read of
the changes feed per half second for all of them, one ask for whose inbox has news, one
re-check of all callers a second. A stream sleeps until one of those has news for it; its
cursor, its access filter and its frames stay its own.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from gateway.application.changes_fanout import ChangesFanout
from gateway.application.live_feeds import Listening, LiveFeeds
from gateway.application.order_access import OrderAccess
from gateway.application.stream_guard import StreamGuard
from gateway.domain.stream_cursor import Cursor, parse_cursor
from gateway.domain.visibility import CHAT_EVENT_TYPES, may_see_change
from gateway.entrypoints.deps import SignedIn, SignInDep, TokensDep, UpstreamsDep, caller_of, oauth2
from plumbing.errors import DomainError
from plumbing.state import from_state

router = APIRouter(prefix="/api/v1")
LiveDep = Annotated[LiveFeeds, Depends(from_state("live", LiveFeeds))]
HEARTBEAT_S = 15.0
# The inbox read untold too, now and then: should the watcher ever miss a word, the notice
# comes late, never not at all. Rare: every read is a round trip per stream.
INBOX_SAFETY_S = 300.0
INBOX_RETRY_S = 2.0  # the inbox could not be pushed in full: read again this soon
RETRY_S = 1.0  # a change could not be checked (an upstream away): try again this soon
# The longest a stream sleeps without looking whether its client has gone: the heartbeat's
# write finds a closed connection too (each look is a read of the connection, not free).
IDLE_S = HEARTBEAT_S
PUSHED_KEYS = ("id", "order_id", "text", "created_at")
FAR = 2**62
NEVER = float("inf")


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
    upstreams: Upstreams, caller: Caller, at: Position, lang: str, done: list[bool]
) -> AsyncIterator[str]:
    """The caller's inbox after its position; `done` gets True once all of it is pushed (else
    it is read again soon: the notifications or the access read model were away)."""
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
    done.append(True)


async def _pushed_changes(
    upstreams: Upstreams, caller: Caller, at: Position, changes: list[dict[str, Any]]
) -> AsyncIterator[str]:
    """The changes after the stream's cursor, each as far as the caller may see it now."""
    access = OrderAccess(upstreams, caller)
    for change in changes:
        if int(change["seq"]) <= at.changes:
            continue
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


async def _caught_up(
    upstreams: Upstreams, caller: Caller, at: Position, fanout: ChangesFanout
) -> AsyncIterator[str]:
    """A cursor behind the shared window (an old Last-Event-ID, a stream that fell behind):
    one page of the feed read for this stream alone, as every stream once did each tick."""
    try:
        reply = await upstreams.call(
            "projections", "GET", "/changes", caller, params={"after": at.changes}
        )
    except DomainError:
        return  # projections away: keep the stream, retry
    page = reply.body
    head = int(page["head"])
    at.changes = min(at.changes, head)  # the read models were rebuilt shorter
    if not page["changes"] and fanout.low is not None and fanout.low <= head:
        # Nothing between the cursor and the head: nothing up to the window's start either.
        at.changes = max(at.changes, fanout.low)
        return
    async for frame in _pushed_changes(upstreams, caller, at, page["changes"]):
        yield frame


async def pushes_for(
    upstreams: Upstreams,
    caller: Caller,
    live: LiveFeeds,
    held: Listening,
    at: Position,
    lang: str,
    is_gone: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    yield _sse("ready", {"seq": at.changes, "cursor": at.cursor()}, at.cursor())
    fanout = live.changes
    epoch = fanout.epoch
    now = time.monotonic()
    beat, inbox_retry, inbox_safety = now + HEARTBEAT_S, NEVER, now + INBOX_SAFETY_S
    while not await is_gone():
        held.wake.clear()  # before looking: news arriving from here on wakes the wait below
        if held.watch.why is not None:
            yield _sse("reauth", {"reason": held.watch.why, "cursor": at.cursor()})
            return
        now = time.monotonic()
        if held.inbox.due or now >= inbox_retry or now >= inbox_safety:
            held.inbox.due, inbox_safety = False, now + INBOX_SAFETY_S
            done: list[bool] = []
            async for frame in _new_notifications(upstreams, caller, at, lang, done):
                yield frame
            inbox_retry = NEVER if done else time.monotonic() + INBOX_RETRY_S
        if fanout.epoch != epoch:  # the read models were rebuilt shorter
            epoch = fanout.epoch
            at.changes = min(at.changes, fanout.high)
        window = fanout.since(at.changes)
        before = at.changes
        if window is None and fanout.low is None:
            behind = True  # the shared reader's first read is under way: it wakes us
        elif window is None:
            async for frame in _caught_up(upstreams, caller, at, fanout):
                yield frame
            behind = fanout.since(at.changes) is None
        else:
            async for frame in _pushed_changes(upstreams, caller, at, window):
                yield frame
            behind = False
        if time.monotonic() >= beat:
            beat = time.monotonic() + HEARTBEAT_S
            yield ": heartbeat\n\n"
        if behind and at.changes != before:
            continue  # catching up: the next page at once
        wait = min(beat, inbox_retry, inbox_safety) - time.monotonic()
        if behind or (window and at.changes < int(window[-1]["seq"])):
            wait = min(wait, RETRY_S)  # something was not pushed (an upstream away): retry
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(held.wake.wait(), max(0.0, min(wait, IDLE_S)))


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
    live: LiveDep,
    lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru",
) -> StreamingResponse:
    caller = caller_of(user)
    assert token is not None  # SignedIn has checked it
    # Before the response starts, so a read side that is away is a clean 503, not a broken
    # stream.
    at = await _start(upstreams, caller, parse_cursor(request.headers.get("Last-Event-ID")), lang)
    guard = StreamGuard(tokens, sign_in, token, user)
    return StreamingResponse(
        _listening(upstreams, caller, live, guard, at, lang, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _listening(
    upstreams: Upstreams,
    caller: Caller,
    live: LiveFeeds,
    guard: StreamGuard,
    at: Position,
    lang: str,
    is_gone: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    """The stream's pushes, held on the shared feeds for as long as it is open."""
    async with live.listen(caller.id, guard) as held:
        async for frame in pushes_for(upstreams, caller, live, held, at, lang, is_gone):
            yield frame

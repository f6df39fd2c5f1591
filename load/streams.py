"""Live streams held open as the web app holds them (web/src/realtime/stream.ts,
web/src/features/board/useBoard.ts): GET /api/v1/events/stream with the bearer token and,
on every reconnect, `Last-Event-ID`. On `reauth` (the token ran out) the session is renewed
and the stream reopened at once from its cursor.

An office PC shows the board: it reads the whole board on every (re)connect and re-reads the
one card a `board` frame names, as the app does: one read of a card at a time, and one more
after it when frames for that card came meanwhile (useBoard's refreshCard), so a burst of
frames for one order costs two reads, not one per frame. A phone shows its owner's day: it
reads the day's tasks on every (re)connect. A watcher only keeps what it got, for the soak's
"missed nothing" check.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from load.session import Session
from load.stats import Recorder

log = logging.getLogger("load")

PATH = "/api/v1/events/stream"
OPEN = f"GET {PATH}"  # its endpoint name (timing.endpoint_of): kept out of p99
READ_TIMEOUT_S = 45.0  # the gateway sends a heartbeat every 15 s
BOARD_LIMIT = 100  # what the web app asks for
Kind = Literal["board", "phone", "watcher"]


@dataclass(frozen=True)
class Frame:
    event: str
    data: str
    id: str | None


async def frames(lines: AsyncIterator[str]) -> AsyncIterator[Frame]:
    """Server-sent events from the lines of a stream: fields up to a blank line make one
    frame; comment lines (`: heartbeat`) are skipped."""
    event, frame_id = "message", None
    data: list[str] = []
    async for line in lines:
        if not line:
            if data or event != "message":
                yield Frame(event, "\n".join(data), frame_id)
            event, data, frame_id = "message", [], None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            frame_id = value


@dataclass
class Stream:
    api: httpx.AsyncClient
    session: Session
    kind: Kind
    recorder: Recorder | None = None  # a stream dropped without a reauth is an error
    last_id: str | None = None
    first_id: str | None = None  # the cursor of the first `ready`: where a replay starts
    connects: int = 0
    reauths: int = 0
    drops: int = 0  # ended without a reauth: an error, reconnected after a pause
    seen: list[tuple[str, str]] = field(default_factory=list)  # watcher: (kind, key) in order
    frames: int = 0
    open: bool = False
    _reads: set[asyncio.Task[Any]] = field(default_factory=set)
    _cards: dict[str, asyncio.Task[Any]] = field(default_factory=dict)  # card reads in flight
    _missed: set[str] = field(default_factory=set)  # cards named again while being read

    async def run(self) -> None:
        while True:
            reauth = await self._once()
            if not reauth:
                self.drops += 1
                if self.recorder is not None:
                    self.recorder.record(OPEN, None, "dropped")
                await asyncio.sleep(1.0)

    async def _once(self) -> bool:
        """One connection, to its end; True when it ended with `reauth`."""
        token = (await self.session.headers())["Authorization"]
        headers = {"Authorization": token, "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = self.last_id
        timeout = httpx.Timeout(30.0, read=READ_TIMEOUT_S)
        try:
            async with self.api.stream("GET", PATH, headers=headers, timeout=timeout) as reply:
                if reply.status_code == 401:
                    await self.session.renew(token.removeprefix("Bearer "))
                    return True
                if reply.status_code != 200:
                    return False
                self.connects += 1
                self.open = True
                self._read_all()  # the app re-reads what it shows: it may have missed frames
                async for frame in frames(reply.aiter_lines()):
                    if frame.id is not None:
                        self.last_id = frame.id
                    if frame.event == "ready" and self.first_id is None:
                        self.first_id = frame.id
                    if frame.event == "reauth":
                        self.reauths += 1
                        return True
                    self._take(frame)
        except httpx.TransportError:
            return False
        finally:
            self.open = False
        return False

    def _take(self, frame: Frame) -> None:
        if frame.event in ("ready", "message"):
            return
        self.frames += 1
        key = key_of(frame)
        if self.kind == "watcher" and key is not None:
            self.seen.append(key)
        if self.kind == "board" and frame.event == "board" and key is not None:
            self._refresh_card(str(json.loads(frame.data).get("order_id")))

    def _refresh_card(self, order_id: str) -> None:
        if order_id in self._cards:
            self._missed.add(order_id)
            return

        def done(_: asyncio.Task[Any]) -> None:
            del self._cards[order_id]
            if order_id in self._missed:
                self._missed.discard(order_id)
                self._refresh_card(order_id)

        task = asyncio.create_task(self._get(f"/api/v1/board/cards/{order_id}", None))
        self._cards[order_id] = task
        task.add_done_callback(done)

    def _read_all(self) -> None:
        if self.kind == "board":
            self._read("/api/v1/board", {"limit": BOARD_LIMIT})
        elif self.kind == "phone":
            self._read("/api/v1/tasks", {"mine": "true", "status": "open"})

    def _read(self, path: str, params: dict[str, Any] | None = None) -> None:
        task = asyncio.create_task(self._get(path, params))
        self._reads.add(task)
        task.add_done_callback(self._reads.discard)

    async def _get(self, path: str, params: dict[str, Any] | None) -> None:
        # Recorded by the transport (timing.py); a failure is counted there, not raised here.
        with contextlib.suppress(httpx.HTTPError):
            await self.api.get(path, params=params, headers=await self.session.headers())


def key_of(frame: Frame) -> tuple[str, str] | None:
    """What identifies a frame's news across a reconnect: a change's `seq`, a notification's
    id."""
    try:
        data = json.loads(frame.data)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if frame.event in ("board", "chat") and "seq" in data:
        return ("change", str(data["seq"]))
    if frame.event == "notification" and "id" in data:
        return ("notification", str(data["id"]))
    return None

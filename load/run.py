"""The load itself: signed-in users, live streams held open, and the mix offered at a rate.

Shared by `make load` (a ramp of rates, to the breaking point, then half of it) and
`make soak` (one rate for an hour). The stack is always our own (chaos/own_stack.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from chaos.ledger import Ledger
from chaos.slots import slots
from deploy.local.stack import Stack
from load import files, procs
from load.mix import MIX, schedule
from load.own_stack import crew
from load.script import Script
from load.session import Session
from load.stats import Recorder, Step, summarise
from load.streams import OPEN, Kind, Stream
from load.timing import TimedTransport

log = logging.getLogger("load")

REPORTS = ("funnel", "stage-durations", "overdue", "workload")
SESSIONS_PER_ROLE = 4  # browsers signed in per role: the streams share them
MAX_READS_IN_FLIGHT = 400
KEEP_FRESH_S = 5.0
# Streams by who holds them: office PCs with the board, phones with the day's tasks.
STREAM_ROLES: tuple[tuple[str, Kind], ...] = (
    ("manager", "board"),
    ("measurer", "phone"),
    ("director", "board"),
    ("installer", "phone"),
    ("manager", "board"),
)


def client(stack: Stack, recorder: Recorder) -> httpx.AsyncClient:
    gateway = httpx.URL(stack.urls["gateway"])
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    transport = TimedTransport(recorder, gateway.netloc.decode(), limits)
    return httpx.AsyncClient(base_url=gateway, timeout=30, transport=transport)


@dataclass
class Load:
    stack: Stack
    api: httpx.AsyncClient
    recorder: Recorder
    sessions: dict[str, list[Session]] = field(default_factory=dict)
    streams: list[tuple[Stream, asyncio.Task[None]]] = field(default_factory=list)
    script: Script | None = None
    measurers: list[str] = field(default_factory=list)
    sessions_per_role: int = SESSIONS_PER_ROLE
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)  # kept fresh in place
    _reads: set[asyncio.Task[None]] = field(default_factory=set)
    _kinds: Iterator[str] = field(default_factory=lambda: schedule(MIX))
    _reports: Iterator[str] = field(default_factory=lambda: itertools.cycle(REPORTS))
    _keeper: asyncio.Task[None] | None = None
    _roles: Iterator[tuple[str, Kind]] = field(
        default_factory=lambda: itertools.cycle(STREAM_ROLES)
    )
    _random: random.Random = field(default_factory=lambda: random.Random(19))  # noqa: S311

    async def start(self) -> None:
        """Sign everyone in, make the uploads, learn the crew; the command script is ready."""
        await asyncio.to_thread(files.jpeg)
        await asyncio.to_thread(files.heic)
        for role in ("manager", "measurer", "installer", "director"):
            self.sessions[role] = []
            for _ in range(self.sessions_per_role):
                session = Session(self.api, role)
                await session.sign_in()
                self.sessions[role].append(session)
            self._headers[role] = dict(await self.sessions[role][0].headers())
        self.measurers = await crew(self.api, self._headers["manager"], "measurer")
        ledger = Ledger()
        ledger.begin("load")
        self.script = Script(
            self.api,
            self._headers["manager"],
            self._headers["measurer"],
            slots(self.measurers),
            ledger,
            rate=1.0,  # unused: the mix ticks the script (Load.offer)
        )
        self._keeper = asyncio.create_task(self._keep_fresh())

    async def stop(self) -> None:
        await self.hold(0)
        if self.script is not None:
            await self.script.drain(within_s=30)
            self.script.cancel()
        for task in list(self._reads):
            task.cancel()
        if self._keeper is not None:
            self._keeper.cancel()

    async def _keep_fresh(self) -> None:
        """The script's header dicts are the first session of each role: renewed in place
        before they run out, so the script's commands carry a live token for hours."""
        while True:
            for role, headers in self._headers.items():
                try:
                    headers.update(await self.sessions[role][0].headers())
                except httpx.HTTPError:
                    log.warning("could not renew %s's token; trying again", role)
            await asyncio.sleep(KEEP_FRESH_S)

    # ---- live streams ----

    async def hold(self, wanted: int, kind: Kind | None = None) -> int:
        """Open or close streams until `wanted` are held; the number open once settled."""
        while len(self.streams) > wanted:
            _, task = self.streams.pop()
            task.cancel()
        while len(self.streams) < wanted:
            role, default_kind = next(self._roles)
            session = self.sessions[role][len(self.streams) % self.sessions_per_role]
            stream = Stream(self.api, session, kind or default_kind, recorder=self.recorder)
            self.streams.append((stream, asyncio.create_task(stream.run())))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.open_streams() < wanted:  # noqa: ASYNC110
            await asyncio.sleep(0.2)  # streams open one by one, each its own request
        return self.open_streams()

    async def watcher(self) -> Stream:
        """A stream of its own (a manager's own sign-in) that keeps every frame's key."""
        session = Session(self.api, "manager")
        await session.sign_in()
        stream = Stream(self.api, session, "watcher", recorder=self.recorder)
        self.streams.insert(0, (stream, asyncio.create_task(stream.run())))
        return stream

    async def settle(self, quiet_s: float = 10.0) -> None:
        """Offer nothing until what is in flight has been answered, and then for `quiet_s`:
        the next step starts on a system that has worked off the last one's backlog."""
        assert self.script is not None
        log.info("settling: waiting for %d requests in flight", len(self._reads))
        await self.script.drain(within_s=120)
        if self._reads:
            await asyncio.wait(self._reads, timeout=120)
        await asyncio.sleep(quiet_s)

    def open_streams(self) -> int:
        return sum(1 for s, _ in self.streams if s.open)

    # ---- the offered mix ----

    async def offer(
        self, rate: float, seconds: float, label: str = "", verdict: bool = True
    ) -> Step:
        """The mix at `rate` requests/s for `seconds` (open loop: a slow answer does not slow
        the ticks; a tick past the in-flight cap is shed and counted as an error)."""
        assert self.script is not None
        self.recorder.take()  # what came before belongs to the step before
        interval = 1.0 / rate
        stack_cpu, own_cpu = procs.cpu_seconds(self.stack), time.process_time()
        started = next_tick = time.monotonic()
        held = self.open_streams()
        while time.monotonic() - started < seconds:
            self._tick()
            held = min(held, self.open_streams())
            next_tick += interval
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
        elapsed = time.monotonic() - started
        step = replace(
            summarise(rate, held, elapsed, self.recorder.take(), untimed=(OPEN,)),
            stack_cpu=(procs.cpu_seconds(self.stack) - stack_cpu) / elapsed,
            own_cpu=(time.process_time() - own_cpu) / elapsed,
        )
        log.info(
            "%s%.0f/s: %d requests, %.1f/s, p99 %.3f s, errors %.2f %%, streams %d, "
            "CPU: stack %.2f, generator %.2f cores%s",
            label,
            rate,
            step.requests,
            step.throughput,
            step.p99,
            100 * step.error_ratio,
            held,
            step.stack_cpu,
            step.own_cpu,
            "" if step.holds or not verdict else "  — does not hold",
        )
        return step

    def _tick(self) -> None:
        assert self.script is not None
        kind = next(self._kinds)
        if kind == "command":
            if not self.script.tick():
                self.recorder.record("command (shed)", None, "shed")
            return
        if len(self._reads) >= MAX_READS_IN_FLIGHT:
            self.recorder.record(f"{kind} (shed)", None, "shed")
            return
        task = asyncio.create_task(self._read(kind))
        self._reads.add(task)
        task.add_done_callback(self._reads.discard)

    async def _read(self, kind: str) -> None:
        path, params, role = self._what(kind)
        headers = await self._session(role).headers()
        with contextlib.suppress(httpx.HTTPError):  # recorded by the transport
            await self.api.get(path, params=params, headers=headers)

    def _session(self, role: str) -> Session:
        return self._random.choice(self.sessions[role])

    def _what(self, kind: str) -> tuple[str, dict[str, Any], str]:
        assert self.script is not None
        orders = self.script.orders
        if kind in ("card", "history", "comments") and orders:
            oid = self._random.choice(orders)
            suffix = {"card": "", "history": "/history", "comments": "/comments"}[kind]
            return f"/api/v1/orders/{oid}{suffix}", {}, "manager"
        if kind == "tasks":
            role = self._random.choice(("measurer", "installer"))
            return "/api/v1/tasks", {"mine": "true", "status": "open"}, role
        if kind == "notifications":
            return "/api/v1/notifications", {"unread": "true"}, "manager"
        if kind == "schedule" and self.measurers:
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
            params = {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}
            return f"/api/v1/crew/{self._random.choice(self.measurers)}/schedule", params, "manager"
        if kind == "report":
            return f"/api/v1/reports/{next(self._reports)}", {}, "director"
        return "/api/v1/board", {"limit": 100}, "manager"  # also a card before any order

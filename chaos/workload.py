"""The driver: orders walk the case study's first steps through the gateway at a set rate.

Each order is a small script — create (with an Idempotency-Key), upload a document, comment,
move to measurement, book the measurer, the measurer completes the visit with results — and
a robot then moves it to the contract stage by itself. A ticker sends one command per tick
(open loop: a slow system does not slow the offered rate), preferring orders whose next step
is due over new orders.

Retries are only those a careful client would make: creates and bookings repeat with the
same key and the same body; a comment without an answer is never sent twice (its outcome is
unknown, and a second copy would be ours, not the system's, duplicate).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from chaos.ledger import Ledger

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The upload the driver declares for PDF (and the backup drill, deploy/local/drill.py).
REQUIREMENTS_PDF = {
    "kind": "document",
    "purpose": "requirements",
    "filename": "ТЗ.pdf",
    "content_type": "application/pdf",
    "size": len(PDF),
}
RESULTS = {"rooms": [{"name": "Кухня", "width_mm": 3200, "height_mm": 2700}], "notes": "хаос"}
STEPS = ("create", "upload", "comment", "transition", "book", "complete")
TITLE_PREFIX = "Хаос "  # the audit finds the run's orders by it
RETRY_AFTER_S = 0.5
GIVE_UP_AFTER_S = 180.0  # a step still refused after this long is reported as stuck


class Retry(Exception):
    """Try this step again later (an error, or the read side not caught up yet)."""

    def __init__(self, deferred: bool = False) -> None:
        super().__init__()
        self.deferred = deferred


class Skip(Exception):
    """Go on to the next step without an acknowledgement (the outcome is unknown or moot)."""


@dataclass
class Order:
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    id: str = ""
    step: int = 0
    task_id: str = ""
    slot: tuple[str, datetime] | None = None  # the booking's, kept for its retries
    waiting_since: float | None = None

    @property
    def title(self) -> str:
        return TITLE_PREFIX + self.key


@dataclass
class Driver:
    api: httpx.AsyncClient
    manager: dict[str, str]
    measurer: dict[str, str]
    slots: Iterator[tuple[str, datetime]]
    ledger: Ledger
    rate: float
    max_in_flight: int = 400
    steps: tuple[str, ...] = STEPS  # a longer script (the load run's) adds its own steps
    stuck: list[Order] = field(default_factory=list)
    _ready: list[tuple[float, int, Order]] = field(default_factory=list)
    _seq: Iterator[int] = field(default_factory=itertools.count)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def run(self, stop: asyncio.Event) -> None:
        """Offer `rate` commands a second until `stop` is set; then let in-flight ones end."""
        interval = 1.0 / self.rate
        next_tick = time.monotonic()
        try:
            while not stop.is_set():
                self.tick()
                next_tick += interval
                await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
            await self.drain()
        finally:  # Ctrl-C, or in-flight commands that never answered: none outlives the client
            self.cancel()

    def tick(self) -> bool:
        """Send one command: the next due step of an order, else a new order. False when
        `max_in_flight` commands are already waiting (the tick is shed, not queued)."""
        if len(self._tasks) >= self.max_in_flight:
            return False
        order = self._next_order()
        task = asyncio.create_task(self._step(order, self.ledger.current.name))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def drain(self, within_s: float = 60) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=within_s)

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()

    def _next_order(self) -> Order:
        if self._ready and self._ready[0][0] <= time.monotonic():
            return heapq.heappop(self._ready)[2]
        return Order()

    def _again(self, order: Order, after: float) -> None:
        heapq.heappush(self._ready, (time.monotonic() + after, next(self._seq), order))

    async def _step(self, order: Order, phase_name: str) -> None:
        phase = self.ledger.phase(phase_name)
        kind = self.steps[order.step]
        phase.offered[kind] += 1
        try:
            ref = await getattr(self, f"_{kind}")(order)
        except Retry as retry:
            if retry.deferred:
                phase.deferred += 1
            now = time.monotonic()
            order.waiting_since = order.waiting_since or now
            if now - order.waiting_since > GIVE_UP_AFTER_S:
                self.stuck.append(order)
                return
            self._again(order, RETRY_AFTER_S)
            return
        except Skip:
            ref = None
        except httpx.HTTPStatusError as exc:
            self.ledger.current.unexpected(exc.response.status_code, str(exc))
            self._again(order, RETRY_AFTER_S)
            return
        if ref is not None:
            self.ledger.ack(kind, order.id, ref, phase_name)
        order.waiting_since = None
        order.step += 1
        if order.step < len(self.steps):
            self._again(order, 0.0)

    async def _send(
        self, method: str, path: str, headers: dict[str, str], **kw: Any
    ) -> httpx.Response:
        phase = self.ledger.current
        try:
            reply = await self.api.request(method, path, headers=headers, **kw)
        except httpx.TimeoutException:
            phase.errors["timeout"] += 1
            raise Retry from None
        except httpx.TransportError:
            phase.errors["connection"] += 1
            raise Retry from None
        if reply.status_code >= 500:
            phase.server_answer(reply.status_code, f"{method} {path}: {reply.text[:160]}")
            raise Retry
        if reply.status_code == 408:
            # The gateway did not get the whole request in time (our side, starved of CPU,
            # sent it slowly): it was never applied, so sending it again is safe.
            phase.errors["408"] += 1
            raise Retry
        return reply

    # ---- the steps; each answers the reference the audit looks up, or raises ----

    async def _create(self, order: Order) -> str:
        body = {
            "title": order.title,
            "customer": {
                "name": "Проверка Сбоев",
                "phone": "+7 915 000-00-00",
                "address": "Москва",
            },
        }
        headers = {**self.manager, "Idempotency-Key": order.key}
        reply = await self._send("POST", "/api/v1/orders", headers, json=body)
        _expect(reply, 200, 201)
        order.id = reply.json()["id"]
        return order.id

    async def _upload(self, order: Order) -> str:
        started = await self._send(
            "POST", f"/api/v1/orders/{order.id}/media", self.manager, json=REQUIREMENTS_PDF
        )
        _expect(started, 201)
        media = started.json()
        try:
            put = await self.api.put(
                media["upload_url"], content=PDF, headers={"Content-Type": "application/pdf"}
            )
        except httpx.TransportError:
            self.ledger.current.errors["s3"] += 1
            raise Retry from None
        if put.status_code != 200:
            self.ledger.current.errors[f"s3 {put.status_code}"] += 1
            raise Retry
        done = await self._send("POST", f"/api/v1/media/{media['media_id']}/complete", self.manager)
        _expect(done, 200)
        return str(media["media_id"])

    async def _comment(self, order: Order) -> str:
        text = f"Проверка связи {order.key}"
        try:
            reply = await self._send(
                "POST", f"/api/v1/orders/{order.id}/comments", self.manager, json={"text": text}
            )
        except Retry:
            raise Skip from None  # applied or not, we cannot know: never send it twice
        _expect(reply, 201)
        return text

    async def _transition(self, order: Order) -> str:
        reply = await self._send(
            "POST",
            f"/api/v1/orders/{order.id}/transitions",
            self.manager,
            json={"to": "measurement"},
        )
        if reply.status_code == 409 and reply.json().get("code") == "gate_unmet":
            raise Retry(deferred=True)  # the document's fact is still on its way to orders
        if reply.status_code == 409 and reply.json().get("code") == "transition_not_allowed":
            raise Skip  # an earlier attempt whose answer we lost did move it
        _expect(reply, 200)
        return "measurement"

    async def _book(self, order: Order) -> str:
        # A booking whose answer was lost is sent again as it was, slot and key alike: the key
        # makes it the same booking (200, the same ids). Another slot under the same key
        # would be another booking, which the gateway refuses (422).
        if order.slot is None:
            order.slot = next(self.slots)
        member, starts = order.slot
        body = {
            "kind": "measurement",
            "assignee_id": member,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        }
        headers = {**self.manager, "Idempotency-Key": f"{order.key}-measurement"}
        reply = await self._send("POST", f"/api/v1/orders/{order.id}/visits", headers, json=body)
        if reply.status_code == 404:
            raise Retry(deferred=True)  # scheduling has not heard of the order yet
        if reply.status_code == 409:
            order.slot = None  # refused, so the key is unused: the next attempt takes a new slot
        _expect(reply, 200, 201)
        order.task_id = reply.json()["task_id"]
        return str(reply.json()["visit_id"])

    async def _complete(self, order: Order) -> str:
        reply = await self._send(
            "POST",
            f"/api/v1/tasks/{order.task_id}/complete",
            self.measurer,
            json={"note": "готово", "results": RESULTS},
        )
        if reply.status_code == 404:
            raise Retry(deferred=True)  # the measurer's access is still being projected
        if reply.status_code == 409:
            raise Skip  # already completed by an attempt whose answer we lost
        _expect(reply, 200)
        return order.task_id


def _expect(reply: httpx.Response, *statuses: int) -> None:
    """An answer the script does not expect is a finding: count it and try the step again."""
    if reply.status_code not in statuses:
        raise httpx.HTTPStatusError(
            f"{reply.request.method} {reply.request.url.path}: "
            f"{reply.status_code} {reply.text[:200]}",
            request=reply.request,
            response=reply,
        )

"""An in-memory event store for domain and application tests. Passes the same contract suite
as the PostgreSQL adapter (tests/contract/test_event_store.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from contracts.envelope import Envelope
from contracts.events import registry
from plumbing.ordered_log import Cursor
from services.orders.application.follow import follow, woken_by
from services.orders.application.ports import (
    AppendResult,
    DuplicateEvent,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    StoredEvent,
    WrongExpectedVersion,
)


class MemoryEventStore:
    def __init__(self) -> None:
        self._log: list[StoredEvent] = []
        self._ids: set[str] = set()
        self._keys: dict[str, IdempotencyRecord] = {}
        self._lock = asyncio.Lock()
        self._appended = asyncio.Event()

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        async with self._lock:
            actual = sum(1 for e in self._log if e.envelope.stream_id == stream_id)
            if expected_version is not None and actual != expected_version:
                raise WrongExpectedVersion(stream_id, expected_version, actual)
            if idempotency is not None and idempotency.key in self._keys:
                raise IdempotencyKeyTaken(idempotency.key)
            if any(str(e.event_id) in self._ids for e in events):
                raise DuplicateEvent(", ".join(str(e.event_id) for e in events))
            if len({e.event_id for e in events}) != len(events):
                raise DuplicateEvent("the same event id twice in one append")
            if idempotency is not None:
                self._keys[idempotency.key] = idempotency
            for offset, event in enumerate(events, start=1):
                stamped = event.model_copy(
                    update={"stream_id": stream_id, "stream_version": actual + offset}
                )
                self._log.append(StoredEvent(len(self._log) + 1, stamped))
                self._ids.add(str(event.event_id))
            self._appended.set()
            return AppendResult(version=actual + len(events), position=len(self._log))

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[MemoryEventStore]:
        """All or nothing: what was appended inside is taken back if the block fails."""
        saved = (list(self._log), set(self._ids), dict(self._keys))
        try:
            yield self
        except BaseException:
            self._log, self._ids, self._keys = saved
            raise

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        return [_upcast(e) for e in self._log if e.envelope.stream_id == stream_id]

    async def read_all(self, after: Cursor, limit: int) -> list[StoredEvent]:
        # One writer at a time: positions are the commit order, every order is 0.
        start = after.position
        return [_upcast(e) for e in self._log[start : start + limit]]

    async def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        return self._keys.get(key)

    def subscribe(self, after: Cursor) -> AsyncIterator[StoredEvent]:
        return follow(self.read_all, after, woken_by(self._appended, 0.5))


def _upcast(stored: StoredEvent) -> StoredEvent:
    env = stored.envelope
    if registry.known(env.type):
        env = registry.upcast(env)
    return StoredEvent(stored.position, env)


class MemoryOrderNumbers:
    def __init__(self) -> None:
        self._last = 0

    async def next(self) -> int:
        self._last += 1
        return self._last

"""The event store on PostgreSQL (asyncpg). Also the log the orders relay follows.

Appends take the log's advisory lock first (plumbing.ordered_log), so positions become
visible in commit order and the relay never skips a late commit. Under that lock the expected
version check is race-free; the (stream_id, stream_version) unique key backs it anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.topics import ORDERS, partition_key
from plumbing import tracing
from plumbing.db import Conn
from plumbing.ordered_log import LogRecord, notify, serialize_appends
from services.orders.application.follow import follow, woken_by
from services.orders.application.ports import (
    Appender,
    AppendResult,
    DuplicateEvent,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    StoredEvent,
    WrongExpectedVersion,
)

EVENT_STORE_DDL = """
CREATE SEQUENCE IF NOT EXISTS events_position_seq;
CREATE TABLE IF NOT EXISTS events (
    position       bigint PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    stream_id      text NOT NULL,
    stream_version int NOT NULL,
    envelope       jsonb NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key          text PRIMARY KEY,
    request_hash text NOT NULL,
    stream_id    text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE IF NOT EXISTS order_number_seq;
"""
# A later step: the context of the span each event was made in (plumbing/tracing.py).
EVENTS_TRACE_DDL = "ALTER TABLE events ADD COLUMN IF NOT EXISTS trace_context jsonb;"


def _stored(row: asyncpg.Record) -> StoredEvent:
    envelope = Envelope.model_validate_json(row["envelope"])
    if registry.known(envelope.type):
        envelope = registry.upcast(envelope)  # old events are upcast on read, never rewritten
    return StoredEvent(row["position"], envelope)


class PostgresEventStore:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.name = f"{schema}.events"
        self.channel = f"log_{schema}_events"

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        async with self.pool.acquire() as conn, conn.transaction():
            return await self.append_in(conn, stream_id, events, expected_version, idempotency)

    async def append_in(
        self,
        conn: Conn,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        """The append, inside the caller's open transaction (tests hold one open on purpose)."""
        await serialize_appends(conn, self.name)
        actual = await conn.fetchval(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1",
            stream_id,
        )
        if expected_version is not None and actual != expected_version:
            raise WrongExpectedVersion(stream_id, expected_version, actual)
        if idempotency is not None:
            stored = await conn.fetchval(
                "INSERT INTO idempotency_keys (key, request_hash, stream_id) "
                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
                idempotency.key,
                idempotency.request_hash,
                idempotency.stream_id,
            )
            if not stored:
                raise IdempotencyKeyTaken(idempotency.key)
        position = 0
        trace_context = tracing.carrier()  # the span these events are made in
        for offset, event in enumerate(events, start=1):
            stamped = event.model_copy(
                update={"stream_id": stream_id, "stream_version": actual + offset}
            )
            try:
                position = await conn.fetchval(
                    "INSERT INTO events (position, event_id, stream_id, stream_version, "
                    "envelope, trace_context) VALUES (nextval('events_position_seq'), "
                    "$1, $2, $3, $4, $5) RETURNING position",
                    stamped.event_id,
                    stream_id,
                    stamped.stream_version,
                    stamped.model_dump(mode="json"),
                    trace_context,
                )
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name == "events_event_id_key":
                    raise DuplicateEvent(str(stamped.event_id)) from None
                raise WrongExpectedVersion(stream_id, expected_version, actual) from None
        await notify(conn, self.channel)
        return AppendResult(version=actual + len(events), position=position)

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[Appender]:
        """Appends that commit together (an import). The first one takes the log's advisory
        lock and the transaction holds it to the end, so every other append waits meanwhile:
        the price of all-or-nothing, paid only by imports."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield _InTransaction(self, conn)

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = await self.pool.fetch(
            "SELECT position, envelope::text AS envelope FROM events WHERE stream_id = $1 "
            "ORDER BY stream_version",
            stream_id,
        )
        return [_stored(r) for r in rows]

    async def read_all(self, after: int, limit: int) -> list[StoredEvent]:
        rows = await self.pool.fetch(
            "SELECT position, envelope::text AS envelope FROM events WHERE position > $1 "
            "ORDER BY position LIMIT $2",
            after,
            limit,
        )
        return [_stored(r) for r in rows]

    async def subscribe(self, after: int) -> AsyncIterator[StoredEvent]:
        """Catch up, then follow live, woken by the NOTIFY every append sends at commit."""
        conn = await self.pool.acquire()
        wake = asyncio.Event()

        def notified(*_: object) -> None:
            wake.set()

        await conn.add_listener(self.channel, notified)
        try:
            async for stored in follow(self.read_all, after, woken_by(wake, 1.0)):
                yield stored
        finally:
            await conn.remove_listener(self.channel, notified)
            await self.pool.release(conn)

    async def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        row = await self.pool.fetchrow(
            "SELECT key, request_hash, stream_id FROM idempotency_keys WHERE key = $1", key
        )
        return None if row is None else IdempotencyRecord(**dict(row))

    # --- the relay's view of this store (plumbing.ordered_log.LogSource) -------------------

    async def read_after(self, position: int, limit: int) -> Sequence[LogRecord]:
        # Published as stored (not upcast): consumers upcast on read, like every reader.
        rows = await self.pool.fetch(
            "SELECT position, stream_id, envelope::text AS envelope, trace_context FROM events "
            "WHERE position > $1 ORDER BY position LIMIT $2",
            position,
            limit,
        )
        return [
            LogRecord(
                r["position"],
                ORDERS,
                partition_key(r["stream_id"]),
                r["envelope"].encode(),
                tracing.headers(r["trace_context"]),
            )
            for r in rows
        ]

    async def head(self) -> int:
        return int(await self.pool.fetchval("SELECT coalesce(max(position), 0) FROM events"))


class _InTransaction:
    def __init__(self, store: PostgresEventStore, conn: Conn) -> None:
        self.store = store
        self.conn = conn

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        return await self.store.append_in(
            self.conn, stream_id, events, expected_version, idempotency
        )


class PostgresOrderNumbers:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def next(self) -> int:
        return int(await self.pool.fetchval("SELECT nextval('order_number_seq')"))

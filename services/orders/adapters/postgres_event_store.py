"""The event store on PostgreSQL (asyncpg). Also the log the orders relay follows.

Appends take no lock (issue 17): followers read in (transaction_order, position) order below
the oldest running transaction, as plumbing.ordered_log explains, so a late commit is never
skipped and a stream's events are read in version order. An append is one statement (one round
trip; in autocommit when it is its own transaction): it reads the stream's version, checks the
expected one, claims the idempotency key and inserts every event, stamped with its version.
Two appends racing for one version both compute it; the (stream_id, stream_version) unique key
makes the second wait for the first and fail, which is WrongExpectedVersion, as before.
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
from plumbing.ordered_log import (
    FOLLOW_ORDER,
    Cursor,
    LogRecord,
    Waker,
    after_cursor,
    held_back_query,
    order_ddl,
)
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
# Issue 17: appends without the log's lock, followed in (transaction_order, position) order.
EVENTS_ORDER_DDL = order_ddl("events")

# How many times an append without an expected version is retried when a concurrent append
# took the version it computed (only an append that owns its transaction can retry).
ANY_VERSION_ATTEMPTS = 5

# $1 stream, $2 expected version or NULL, $3 event ids, $4 envelopes (JSON text), $5 trace
# context, $6..$8 the idempotency record or NULLs. Every CTE runs in full, in one snapshot; the
# key is claimed only if the version matches, and the events only if the key was claimed.
_APPEND = """
WITH last AS (
    SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1
), ok AS (
    SELECT version FROM last WHERE $2::int IS NULL OR version = $2::int
), claimed AS (
    INSERT INTO idempotency_keys (key, request_hash, stream_id)
    SELECT $6::text, $7::text, $8::text FROM ok WHERE $6::text IS NOT NULL
    ON CONFLICT DO NOTHING RETURNING true
), added AS (
    INSERT INTO events (position, event_id, stream_id, stream_version, envelope, trace_context)
    SELECT nextval('events_position_seq'), e.event_id, $1, e.version,
           jsonb_set(jsonb_set(e.envelope::jsonb, '{stream_id}', to_jsonb($1::text)),
                     '{stream_version}', to_jsonb(e.version)),
           $5::jsonb
    FROM (
        SELECT new.event_id, new.envelope, ok.version + new.n::int AS version
        FROM ok, unnest($3::uuid[], $4::text[]) WITH ORDINALITY AS new(event_id, envelope, n)
        WHERE $6::text IS NULL OR EXISTS (SELECT FROM claimed)
        ORDER BY new.n
    ) AS e
    RETURNING position
)
SELECT (SELECT version FROM last) AS actual,
       (SELECT count(*) FROM ok) AS matched,
       (SELECT count(*) FROM claimed) AS claimed,
       (SELECT max(position) FROM added) AS position
"""


def _stored(row: asyncpg.Record) -> StoredEvent:
    envelope = Envelope.model_validate_json(row["envelope"])
    if registry.known(envelope.type):
        envelope = registry.upcast(envelope)  # old events are upcast on read, never rewritten
    return StoredEvent(row["position"], envelope, row["transaction_order"])


class _Taken(Exception):
    """A concurrent append took the version this one computed (expected version None)."""


class PostgresEventStore:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.name = f"{schema}.events"
        self.channel = f"log_{schema}_events"
        self.waker = Waker(pool, self.channel)

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        """One statement, its own transaction: one round trip, then the NOTIFY after it."""
        for attempt in range(1, ANY_VERSION_ATTEMPTS + 1):
            try:
                result = await self._append(
                    self.pool, stream_id, events, expected_version, idempotency
                )
            except _Taken as taken:
                if attempt == ANY_VERSION_ATTEMPTS:
                    raise WrongExpectedVersion(stream_id, None, taken.args[0]) from None
                continue  # nothing was written: the statement failed as a whole
            if events:
                self.waker.poke()
            return result
        raise AssertionError("unreachable")

    async def append_in(
        self,
        conn: Conn,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        """The append, inside the caller's open transaction (tests hold one open on purpose).

        Followers are woken now, before the caller commits; they look again by polling."""
        try:
            result = await self._append(conn, stream_id, events, expected_version, idempotency)
        except _Taken as taken:
            # The caller's transaction is aborted: it cannot retry here.
            raise WrongExpectedVersion(stream_id, None, taken.args[0]) from None
        if events:
            self.waker.poke()
        return result

    async def _append(
        self,
        conn: Conn | asyncpg.Pool,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None,
    ) -> AppendResult:
        claim = (
            (None, None, None)
            if idempotency is None
            else (
                idempotency.key,
                idempotency.request_hash,
                idempotency.stream_id,
            )
        )
        try:
            row = await conn.fetchrow(
                _APPEND,
                stream_id,
                expected_version,
                [e.event_id for e in events],
                [e.model_dump_json() for e in events],
                tracing.carrier(),  # the span these events are made in
                *claim,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_event_id_key":
                raise DuplicateEvent(", ".join(str(e.event_id) for e in events)) from None
            # A concurrent append took a version we computed and committed first: the stream
            # is past what we read. (Its length now would need another query, and inside the
            # caller's transaction there is none: that transaction is aborted.)
            past = (expected_version or 0) + 1
            if expected_version is None:
                raise _Taken(past) from None
            raise WrongExpectedVersion(stream_id, expected_version, past) from None
        assert row is not None
        actual = int(row["actual"])
        if not row["matched"]:
            raise WrongExpectedVersion(stream_id, expected_version, actual)
        if idempotency is not None and not row["claimed"]:
            raise IdempotencyKeyTaken(idempotency.key)
        return AppendResult(version=actual + len(events), position=row["position"] or 0)

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[Appender]:
        """Appends that commit together (an import), in one transaction. Other appends go on
        meanwhile, but followers read nothing newer until it ends (plumbing.ordered_log): the
        price of all-or-nothing, paid by the followers' latency, not by the writers."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield _InTransaction(self, conn)
        self.waker.poke()  # committed: wake the followers again, now they can read it

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = await self.pool.fetch(
            "SELECT transaction_order, position, envelope::text AS envelope FROM events "
            "WHERE stream_id = $1 ORDER BY stream_version",
            stream_id,
        )
        return [_stored(r) for r in rows]

    async def read_all(self, after: Cursor, limit: int) -> list[StoredEvent]:
        rows = await self.pool.fetch(
            "SELECT transaction_order, position, envelope::text AS envelope FROM events "
            f"WHERE {after_cursor(1)} {FOLLOW_ORDER} LIMIT $3",
            after.transaction_order,
            after.position,
            limit,
        )
        return [_stored(r) for r in rows]

    async def subscribe(self, after: Cursor) -> AsyncIterator[StoredEvent]:
        """Catch up, then follow live, woken by the NOTIFY sent after appends (or a poll)."""
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

    async def read_after(self, after: Cursor, limit: int) -> Sequence[LogRecord]:
        # Published as stored (not upcast): consumers upcast on read, like every reader.
        rows = await self.pool.fetch(
            "SELECT transaction_order, position, stream_id, envelope::text AS envelope, "
            f"trace_context FROM events WHERE {after_cursor(1)} {FOLLOW_ORDER} LIMIT $3",
            after.transaction_order,
            after.position,
            limit,
        )
        return [
            LogRecord(
                Cursor(r["transaction_order"], r["position"]),
                ORDERS,
                partition_key(r["stream_id"]),
                r["envelope"].encode(),
                tracing.headers(r["trace_context"]),
            )
            for r in rows
        ]

    async def held_back(self, after: Cursor) -> bool:
        return bool(await self.pool.fetchval(held_back_query("events"), *after))

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

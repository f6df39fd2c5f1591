"""Event-store appends: our PostgresEventStore against a bare INSERT + COMMIT.

Both sides get the same envelopes, built before the clock starts, and a table with the same
columns and unique keys, so the ratio isolates what our append adds: the expected-version
read, the idempotency claim and the version stamping (all in the one statement of an append,
with no log lock since issue 17, so concurrent writers share WAL flushes), the follow-order
column and its index, and the NOTIFY sent after it (at most one per 5 ms per log).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from bench.rounds import alternate
from contracts.envelope import Envelope
from plumbing import db
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
)
from tests.factories import envelope, new_stream

RAW_DDL = """
CREATE TABLE raw_events (
    position       bigserial PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    stream_id      text NOT NULL,
    stream_version int NOT NULL,
    envelope       jsonb NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
"""

# One writer's job: its stream and the envelopes it appends one at a time, in order.
Work = tuple[str, list[Envelope]]
Writer = Callable[[Work], Awaitable[None]]
# A side of the comparison: given the pool and schema of a run, how one writer writes.
Side = Callable[[asyncpg.Pool, str], Writer]


def ours(pool: asyncpg.Pool, schema: str) -> Writer:
    store = PostgresEventStore(pool, schema)

    async def write(work: Work) -> None:
        stream_id, events = work
        for version, event in enumerate(events):
            # The version we last saw, exactly as a command handler passes it.
            await store.append(stream_id, [event], expected_version=version)

    return write


def raw(pool: asyncpg.Pool, _schema: str) -> Writer:
    async def write(work: Work) -> None:
        stream_id, events = work
        for version, event in enumerate(events, start=1):
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO raw_events (event_id, stream_id, stream_version, envelope) "
                    "VALUES ($1, $2, $3, $4::text::jsonb)",
                    event.event_id,
                    stream_id,
                    version,
                    # Serializing is part of storing an event; ours pays for it in append().
                    event.model_dump_json(),
                )

    return write


def _plan(writers: int, events: int) -> list[Work]:
    per_writer = max(1, events // writers)
    plan = []
    for _ in range(writers):
        stream_id = new_stream()
        plan.append((stream_id, [envelope(stream_id) for _ in range(per_writer)]))
    return plan


async def _warm(pool: asyncpg.Pool, size: int) -> None:
    """Open every connection the writers will use now, so no connect lands inside the clock."""
    held = [await pool.acquire() for _ in range(size)]
    for conn in held:
        await conn.fetchval("SELECT 1")
        await pool.release(conn)


async def _seconds(url: str, ddl: str, table: str, side: Side, plan: list[Work]) -> float:
    """Seconds for all writers to finish, in a fresh schema so each run starts empty."""
    schema = f"es_{uuid.uuid4().hex[:8]}"
    pool = await db.create_pool(url, schema, max_size=len(plan) + 1)
    try:
        await db.migrate(pool, schema, [ddl])
        await _warm(pool, len(plan))
        writer = side(pool, schema)
        started = time.perf_counter()
        await asyncio.gather(*(writer(work) for work in plan))
        elapsed = time.perf_counter() - started
        total = sum(len(events) for _, events in plan)
        stored = await pool.fetchval(f"SELECT count(*) FROM {table}")
        if stored != total:  # a benchmark that lost writes would report nonsense
            raise RuntimeError(f"{table}: {stored} rows after {total} appends")
        return elapsed
    finally:
        await pool.close()


async def measure(url: str, writers: int, events: int, rounds: int) -> tuple[int, float, float]:
    """(events appended per run, ours ev/s, raw ev/s) with `writers` concurrent writers.

    Every run gets a fresh schema, so the same envelopes can be appended again.
    """
    plan = _plan(writers, events)
    total = sum(len(events) for _, events in plan)
    ours_rate, raw_rate = await alternate(
        rounds,
        total,
        lambda: _seconds(
            url, EVENT_STORE_DDL + EVENTS_TRACE_DDL + EVENTS_ORDER_DDL, "events", ours, plan
        ),
        lambda: _seconds(url, RAW_DDL, "raw_events", raw, plan),
        f"appends, {writers} writer{'s' if writers > 1 else ''}",
    )
    return total, ours_rate, raw_rate

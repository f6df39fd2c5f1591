"""Appends without the log's lock (issue 17): many writers whose commits land in random
order while a follower reads, on real PostgreSQL. Whatever the schedule, the follower never
skips a committed event, never sees one twice, and sees each stream's events in version order.

Hypothesis draws the schedules: which stream each append goes to, how long the transaction
stays open before and after it, and whether it writes something else first. That first write
gives the transaction its id early, so it may wait for a stream that a younger transaction
wrote meanwhile: the case where ordering by the bare transaction id would put the later
event of a stream first (plumbing/ordered_log.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.envelope import Envelope
from plumbing import db
from plumbing.ordered_log import (
    OUTBOX_DDL,
    OUTBOX_ORDER_DDL,
    OUTBOX_TRACE_DDL,
    START,
    Cursor,
    Outbox,
)
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
)
from services.orders.application.ports import WrongExpectedVersion
from tests.factories import envelope
from tests.integration.helpers import user_event

STREAMS = 3  # few, so that writers meet on them
SCRATCH_DDL = "CREATE TABLE scratch (id bigserial PRIMARY KEY);"
ENTITIES_DDL = "CREATE TABLE entities (id int PRIMARY KEY, version int NOT NULL DEFAULT 0);"


@dataclass(frozen=True)
class Write:
    stream: int
    events: int
    early_id: bool  # write to another table first: the transaction gets its id before
    before_ms: int  # open before the append (after the early write)
    after_ms: int  # open after the append, before the commit


writes = st.builds(
    Write,
    stream=st.integers(0, STREAMS - 1),
    events=st.integers(1, 3),
    early_id=st.booleans(),
    before_ms=st.integers(0, 15),
    after_ms=st.integers(0, 25),
)
schedules = st.lists(st.lists(writes, min_size=1, max_size=5), min_size=8, max_size=14)

Read = Callable[[Cursor], Awaitable[list[tuple[Cursor, Envelope]]]]


async def _follow(read: Read, writers_done: asyncio.Event) -> list[tuple[Cursor, Envelope]]:
    """Read from the last cursor on, as fast as possible, until the writers are done and a
    read after that finds nothing."""
    seen: list[tuple[Cursor, Envelope]] = []
    cursor = START
    while True:
        done = writers_done.is_set()
        batch = await read(cursor)
        seen += batch
        if batch:
            cursor = batch[-1][0]
        elif done:
            return seen
        else:
            await asyncio.sleep(0.001)


def _check(seen: list[tuple[Cursor, Envelope]], stored: dict[str, list[uuid.UUID]]) -> None:
    cursors = [c for c, _ in seen]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == len(cursors)
    ids = [e.event_id for _, e in seen]
    assert len(ids) == len(set(ids)), "an event was read twice"
    assert set(ids) == {i for s in stored.values() for i in s}, "the follower skipped events"
    by_stream: dict[str, list[uuid.UUID]] = defaultdict(list)
    for _, e in seen:
        by_stream[e.stream_id].append(e.event_id)
    for stream, in_order in stored.items():
        assert by_stream[stream] == in_order, f"{stream} read out of order"


async def _sleep_ms(ms: int) -> None:
    if ms:
        await asyncio.sleep(ms / 1000)


async def _event_store_run(url: str, schedule: list[list[Write]]) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pool = await db.create_pool(url, schema, max_size=len(schedule) + 4)
    try:
        await db.migrate(
            pool, schema, [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL, SCRATCH_DDL]
        )
        store = PostgresEventStore(pool, schema)
        streams = [f"order-{uuid.uuid4()}" for _ in range(STREAMS)]

        async def write(w: Write) -> None:
            stream = streams[w.stream]
            while True:
                async with pool.acquire() as conn:
                    try:
                        async with conn.transaction():
                            if w.early_id:
                                await conn.execute("INSERT INTO scratch DEFAULT VALUES")
                            await _sleep_ms(w.before_ms)
                            events = [envelope(stream) for _ in range(w.events)]
                            await store.append_in(conn, stream, events, expected_version=None)
                            await _sleep_ms(w.after_ms)
                        return
                    except WrongExpectedVersion:
                        continue  # another writer took the version first: write again

        async def writer(plan: list[Write]) -> None:
            for w in plan:
                await write(w)

        async def read(cursor: Cursor) -> list[tuple[Cursor, Envelope]]:
            return [(s.cursor, s.envelope) for s in await store.read_all(cursor, 7)]

        done = asyncio.Event()
        follower = asyncio.create_task(_follow(read, done))
        await asyncio.gather(*(writer(plan) for plan in schedule))
        done.set()
        seen = await asyncio.wait_for(follower, 30)
        stored = {s: [e.envelope.event_id for e in await store.read_stream(s)] for s in streams}
        _check(seen, stored)
    finally:
        await pool.close()


async def _outbox_run(url: str, schedule: list[list[Write]]) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pool = await db.create_pool(url, schema, max_size=len(schedule) + 4)
    try:
        steps = [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL, SCRATCH_DDL, ENTITIES_DDL]
        await db.migrate(pool, schema, steps)
        await pool.execute("INSERT INTO entities (id) SELECT generate_series(0, $1)", STREAMS)
        outbox = Outbox(pool, schema)
        users = [uuid.uuid4() for _ in range(STREAMS)]

        async def write(w: Write) -> None:
            # As scheduling, media and the gateway do: the entity's row lock, taken in an
            # earlier statement than the append, orders the writers of one entity.
            async with pool.acquire() as conn, conn.transaction():
                if w.early_id:
                    await conn.execute("INSERT INTO scratch DEFAULT VALUES")
                await _sleep_ms(w.before_ms)
                version = await conn.fetchval(
                    "UPDATE entities SET version = version + $2 WHERE id = $1 RETURNING version",
                    w.stream,
                    w.events,
                )
                events = [
                    user_event(users[w.stream]).model_copy(update={"stream_version": v})
                    for v in range(version - w.events + 1, version + 1)
                ]
                await outbox.append(conn, events)
                await _sleep_ms(w.after_ms)

        async def writer(plan: list[Write]) -> None:
            for w in plan:
                await write(w)

        async def read(cursor: Cursor) -> list[tuple[Cursor, Envelope]]:
            return await outbox.read_envelopes(cursor, 7)

        done = asyncio.Event()
        follower = asyncio.create_task(_follow(read, done))
        await asyncio.gather(*(writer(plan) for plan in schedule))
        done.set()
        seen = await asyncio.wait_for(follower, 30)
        rows = await pool.fetch("SELECT envelope::text AS e FROM outbox")
        stored: dict[str, list[tuple[int, uuid.UUID]]] = defaultdict(list)
        for row in rows:
            e = Envelope.model_validate_json(row["e"])
            stored[e.stream_id].append((e.stream_version, e.event_id))
        _check(seen, {s: [i for _, i in sorted(pairs)] for s, pairs in stored.items()})
    finally:
        await pool.close()


# Each example opens its own pool and loop: Hypothesis runs the examples one after another.
PROPERTY = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(schedule=schedules)
def test_event_store_followers_never_skip_or_reorder_a_stream(
    database_url: str, schedule: list[list[Write]]
) -> None:
    asyncio.run(_event_store_run(database_url, schedule))


@PROPERTY
@given(schedule=schedules)
def test_outbox_followers_never_skip_or_reorder_an_entity(
    database_url: str, schedule: list[list[Write]]
) -> None:
    asyncio.run(_outbox_run(database_url, schedule))


async def test_a_long_transaction_holds_followers_back_but_not_writers(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    """What a follower pays instead of the writers: while a transaction that has written
    anything is open, appends committed after it started are not read yet."""
    pool, schema = schema_pool
    await db.migrate(pool, schema, [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL])
    await pool.execute(SCRATCH_DDL)
    store = PostgresEventStore(pool, schema)
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await conn.execute("INSERT INTO scratch DEFAULT VALUES")  # no log row, but an id
        streams = [f"order-{uuid.uuid4()}" for _ in range(5)]
        for s in streams:
            await asyncio.wait_for(store.append(s, [envelope(s)], expected_version=0), 5)
        assert await store.read_all(START, 10) == []
        # The relay can tell "held back" from "nothing new", and looks again soon.
        assert await store.held_back(START)
        await tx.commit()
    assert [e.envelope.stream_id for e in await store.read_all(START, 10)] == streams
    last = (await store.read_all(START, 10))[-1].cursor
    assert not await store.held_back(last)

"""One contract for every event store backend: memory, PostgreSQL, EventStoreDB.

The in-memory fake is only trusted in unit tests because it passes these same tests.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from contracts.events import registry
from plumbing import db
from plumbing.ordered_log import START
from services.orders.adapters.memory_event_store import MemoryEventStore
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
)
from services.orders.application.ports import (
    DuplicateEvent,
    EventStore,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    WrongExpectedVersion,
)
from tests.factories import envelope, new_stream, order_created_data

BACKENDS = ["memory", "postgres", "esdb"]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[EventStore]:
    if request.param == "memory":
        yield MemoryEventStore()
    elif request.param == "postgres":
        schema = f"t_{uuid.uuid4().hex[:12]}"
        pool = await db.create_pool(database_url, schema, max_size=30)
        await db.migrate(pool, schema, [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL])
        yield PostgresEventStore(pool, schema)
        await pool.close()
    else:
        url = os.environ.get("ESDB_URL")
        if not url:
            pytest.skip(
                "EventStoreDB: no server is obtainable on this machine; set ESDB_URL "
                "(e.g. esdb://localhost:2113?tls=false) to run this suite against one"
            )
        from services.orders.adapters.esdb_event_store import EsdbEventStore  # noqa: PLC0415

        yield EsdbEventStore(url)


async def test_appends_to_a_new_stream_and_reads_it_back_in_order(store: EventStore) -> None:
    stream = new_stream()
    events = [envelope(stream) for _ in range(3)]
    result = await store.append(stream, events, expected_version=0)
    assert result.version == 3
    read = await store.read_stream(stream)
    assert [e.envelope.event_id for e in read] == [e.event_id for e in events]
    assert [e.envelope.stream_version for e in read] == [1, 2, 3]
    assert all(e.envelope.stream_id == stream for e in read)


async def test_stale_expected_version_is_refused_and_nothing_is_written(store: EventStore) -> None:
    stream = new_stream()
    await store.append(stream, [envelope(stream)], expected_version=0)
    with pytest.raises(WrongExpectedVersion) as info:
        await store.append(stream, [envelope(stream)], expected_version=0)
    assert info.value.actual == 1
    assert len(await store.read_stream(stream)) == 1


async def test_no_expected_version_appends_at_the_end(store: EventStore) -> None:
    stream = new_stream()
    await store.append(stream, [envelope(stream)], expected_version=0)
    result = await store.append(stream, [envelope(stream)], expected_version=None)
    assert result.version == 2


async def test_a_stored_event_id_is_never_stored_twice(store: EventStore) -> None:
    stream = new_stream()
    first = envelope(stream)
    await store.append(stream, [first], expected_version=0)
    again = envelope(stream, event_id=first.event_id)
    with pytest.raises(DuplicateEvent):
        await store.append(stream, [envelope(stream), again], expected_version=1)
    # all or nothing: the fresh event in the refused append was not kept either
    assert len(await store.read_stream(stream)) == 1


async def test_read_all_follows_the_log_from_a_position(store: EventStore) -> None:
    a, b = new_stream(), new_stream()
    start = await store.read_all(START, 100_000)
    after = start[-1].cursor if start else START
    await store.append(a, [envelope(a)], expected_version=0)
    await store.append(b, [envelope(b)], expected_version=0)
    await store.append(a, [envelope(a)], expected_version=1)
    read = await store.read_all(after, 100)
    assert [r.envelope.stream_id for r in read] == [a, b, a]
    cursors = [r.cursor for r in read]
    assert cursors == sorted(cursors)
    assert len({r.position for r in read}) == 3
    assert [r.envelope.stream_id for r in await store.read_all(cursors[0], 1)] == [b]


async def test_idempotency_key_is_stored_with_the_append(store: EventStore) -> None:
    stream = new_stream()
    record = IdempotencyRecord(f"user:{uuid.uuid4()}", "hash-1", stream)
    await store.append(stream, [envelope(stream)], expected_version=0, idempotency=record)
    assert await store.find_idempotency(record.key) == record
    other = new_stream()
    with pytest.raises(IdempotencyKeyTaken):
        await store.append(
            other,
            [envelope(other)],
            expected_version=0,
            idempotency=IdempotencyRecord(record.key, "hash-2", other),
        )
    assert await store.read_stream(other) == []


async def test_concurrent_appends_at_one_version_exactly_one_wins(store: EventStore) -> None:
    stream = new_stream()
    await store.append(stream, [envelope(stream)], expected_version=0)

    async def attempt() -> bool:
        try:
            await store.append(stream, [envelope(stream)], expected_version=1)
        except WrongExpectedVersion:
            return False
        return True

    outcomes = await asyncio.gather(*(attempt() for _ in range(20)))
    assert outcomes.count(True) == 1
    read = await store.read_stream(stream)
    assert [e.envelope.stream_version for e in read] == [1, 2]


async def test_old_schema_versions_are_upcast_on_read(store: EventStore) -> None:
    stream = new_stream()
    v1 = order_created_data()
    v1["customer"]["address"] = "Москва, ул. Лесная, 5"
    await store.append(stream, [envelope(stream, data=v1, schema_version=1)], expected_version=0)
    (stored,) = await store.read_stream(stream)
    assert stored.envelope.schema_version == registry.current_version("orders.OrderCreated")
    assert stored.envelope.data["customer"]["address"] == {"text": "Москва, ул. Лесная, 5"}


async def test_unknown_stream_reads_empty(store: EventStore) -> None:
    assert await store.read_stream(new_stream()) == []
    assert await store.find_idempotency("nobody:nothing") is None


async def test_postgres_reader_never_skips_a_late_commit(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    """Append A draws its position first but commits last; a follower must still see it.

    Since issue 17 the second append does not wait for the first: it commits at once, and
    followers hold it back until the first one has ended."""
    pool, schema = schema_pool
    await db.migrate(pool, schema, [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL])
    store = PostgresEventStore(pool, schema)
    slow, fast = new_stream(), new_stream()

    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await store.append_in(conn, slow, [envelope(slow)], expected_version=0)
        # A second append, started while the first is still open, commits without waiting ...
        await asyncio.wait_for(store.append(fast, [envelope(fast)], expected_version=0), 5)
        # ... but a follower polling now sees nothing it could checkpoint past.
        assert await store.read_all(START, 100) == []
        await tx.commit()
    seen = await store.read_all(START, 100)
    assert [e.envelope.stream_id for e in seen] == [slow, fast]
    assert seen[0].position < seen[1].position
    assert seen[0].cursor < seen[1].cursor


async def test_a_subscription_catches_up_then_follows_new_commits(store: EventStore) -> None:
    before = await store.read_all(START, 100_000)
    start = before[-1].cursor if before else START
    a = new_stream()
    await store.append(a, [envelope(a)], expected_version=0)
    seen: list[str] = []

    async def watch() -> None:
        async for stored in store.subscribe(start):
            seen.append(stored.envelope.stream_id)
            if len(seen) == 3:
                return

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0.2)
    b = new_stream()
    await store.append(b, [envelope(b)], expected_version=0)
    await store.append(a, [envelope(a)], expected_version=1)
    await asyncio.wait_for(watcher, 10)
    assert seen == [a, b, a]

"""A consumer applies the records it fetched from a partition in one transaction (issue 17,
step 4), over real PostgreSQL and the real broker, keeping what one transaction per event
guaranteed: once in effect, in order, a poisoned event set aside alone, an event of a newer
release held. Each test's records are produced as ONE record batch, so one fetch brings them
all; the handler notes the transaction it ran in (`pg_current_xact_id()`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts.envelope import Envelope
from plumbing import correlation, kafka, metrics, tracing
from plumbing.batch_apply import MAX_ATTEMPTS, MOST_PER_TRANSACTION
from plumbing.consumer import Consumer
from plumbing.db import Conn
from plumbing.ordered_log import Outbox
from tests.conftest import Infra
from tests.factories import envelope
from tests.integration.helpers import eventually, running, settings_for, user_event

Handler = Callable[[Conn, Envelope], Awaitable[None]]


async def recorder(pool: asyncpg.Pool) -> Handler:
    """Notes each applied event with its transaction, in the order applied."""
    await pool.execute("CREATE TABLE IF NOT EXISTS applied (n bigserial, event_id uuid, txid xid8)")

    async def handle(conn: Conn, env: Envelope) -> None:
        await conn.execute(
            "INSERT INTO applied (event_id, txid) VALUES ($1, pg_current_xact_id())", env.event_id
        )

    return handle


async def one_record_batch(
    infra: Infra,
    topic: str,
    values: list[bytes],
    headers: list[list[tuple[str, bytes]]] | None = None,
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap, acks="all", max_batch_size=1 << 20
    )
    async with asyncio.timeout(60):
        await producer.start()
        try:
            batch = producer.create_batch()
            for i, value in enumerate(values):
                found = headers[i] if headers else []
                assert batch.append(key=b"k", value=value, timestamp=None, headers=found)
            await (await producer.send_batch(batch, topic, partition=0))
        finally:
            await producer.stop()


async def new_topic(infra: Infra) -> tuple[str, str]:
    group = f"batch-{uuid.uuid4().hex[:8]}"
    await kafka.ensure_topics(infra.kafka_bootstrap, [f"test.{group}"], 1)
    return group, f"test.{group}"


async def transactions(pool: asyncpg.Pool, events: list[Envelope]) -> list[int]:
    """The transaction each event was applied in, in the events' order (each once)."""
    rows = await pool.fetch(
        "SELECT event_id, txid::text::bigint AS txid FROM applied WHERE event_id = ANY($1)",
        [e.event_id for e in events],
    )
    found = {r["event_id"]: r["txid"] for r in rows}
    assert len(rows) == len(found) == len(events)  # each applied exactly once
    return [found[e.event_id] for e in events]


async def applied_in_order(pool: asyncpg.Pool) -> list[uuid.UUID]:
    return [r["event_id"] for r in await pool.fetch("SELECT event_id FROM applied ORDER BY n")]


async def count(pool: asyncpg.Pool, events: list[Envelope]) -> int:
    n = await pool.fetchval(
        "SELECT count(*) FROM applied WHERE event_id = ANY($1)", [e.event_id for e in events]
    )
    return int(n)


def when(check: Callable[[], Awaitable[int]], expected: int) -> Callable[[], Awaitable[bool]]:
    async def reached() -> bool:
        return await check() == expected

    return reached


def outcomes(group: str, outcome: str) -> float:
    labels = {"group": group, "outcome": outcome}
    return metrics.REGISTRY.get_sample_value("events_processed_total", labels) or 0.0


async def committed(infra: Infra, group: str, topic: str) -> int | None:
    reader = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, group_id=group)
    await reader.start()
    try:
        offset: int | None = await asyncio.wait_for(reader.committed(TopicPartition(topic, 0)), 30)
        return offset
    finally:
        await reader.stop()


async def test_a_fetched_batch_is_applied_and_claimed_in_one_transaction(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    handler = await recorder(pool)
    group, topic = await new_topic(infra)
    events = [user_event() for _ in range(20)]
    await one_record_batch(infra, topic, [e.to_json_bytes() for e in events])
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    consumer = Consumer(group, [topic], pool, settings, handler)
    async with running(consumer.run):
        await eventually(when(lambda: count(pool, events), len(events)))
        await eventually(lambda: _is(committed(infra, group, topic), len(events)))
    (txid,) = set(await transactions(pool, events))
    assert await applied_in_order(pool) == [e.event_id for e in events]
    # The inbox claims are in that same transaction: they commit with the effects or not at all.
    claims = await pool.fetch(
        "SELECT DISTINCT xmin::text::bigint AS xid FROM inbox WHERE consumer = $1", group
    )
    assert [r["xid"] for r in claims] == [txid % 2**32]
    assert consumer.processed == len(events)
    assert outcomes(group, "applied") == len(events)  # still counted per event


async def test_each_event_of_a_batch_continues_its_own_trace_with_its_own_correlation_id(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    record = await recorder(pool)
    seen: dict[uuid.UUID, tuple[int, str | None]] = {}

    async def handler(conn: Conn, env: Envelope) -> None:
        seen[env.event_id] = (
            trace.get_current_span().get_span_context().trace_id,
            correlation.get(),
        )
        await record(conn, env)

    group, topic = await new_topic(infra)
    events = [user_event() for _ in range(3)]
    parents = [(uuid.uuid4().int, uuid.uuid4().int >> 64) for _ in events]
    headers = [[("traceparent", f"00-{t:032x}-{s:016x}-01".encode())] for t, s in parents]
    exporter = InMemorySpanExporter()
    assert tracing.setup("oms-test", exporter)
    try:
        await one_record_batch(infra, topic, [e.to_json_bytes() for e in events], headers)
        settings = settings_for(infra, database_url, outbox.name.split(".")[0])
        async with running(Consumer(group, [topic], pool, settings, handler).run):
            await eventually(when(lambda: count(pool, events), len(events)))
        tracing.flush()
    finally:
        tracing.shutdown()
    assert len(set(await transactions(pool, events))) == 1
    spans = {s.attributes["messaging.message.id"]: s for s in exporter.get_finished_spans()
             if s.attributes and "messaging.message.id" in s.attributes}  # fmt: skip
    for event, (trace_id, span_id) in zip(events, parents, strict=True):
        span = spans[str(event.event_id)]
        assert span.name == f"consume {event.type}"
        assert span.context is not None
        assert span.parent is not None
        assert (span.context.trace_id, span.parent.span_id) == (trace_id, span_id)
        assert seen[event.event_id] == (trace_id, event.correlation_id)


async def test_a_batch_longer_than_the_cut_takes_more_transactions_in_order(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    handler = await recorder(pool)
    group, topic = await new_topic(infra)
    events = [user_event() for _ in range(MOST_PER_TRANSACTION + 10)]
    await one_record_batch(infra, topic, [e.to_json_bytes() for e in events])
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, handler).run):
        await eventually(when(lambda: count(pool, events), len(events)))
    txids = await transactions(pool, events)
    assert txids == sorted(txids)
    assert len(set(txids[:MOST_PER_TRANSACTION])) == 1
    assert len(set(txids)) == 2
    assert await applied_in_order(pool) == [e.event_id for e in events]


async def test_a_poisoned_event_mid_batch_is_dead_lettered_and_its_neighbours_applied_once(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    record = await recorder(pool)
    poison = user_event()
    calls = {"poison": 0}

    async def handler(conn: Conn, env: Envelope) -> None:
        if env.event_id == poison.event_id:
            calls["poison"] += 1
            raise RuntimeError("a bug in this release")
        await record(conn, env)

    group, topic = await new_topic(infra)
    before, after = [user_event(), user_event()], [user_event(), user_event()]
    await one_record_batch(infra, topic, [e.to_json_bytes() for e in (*before, poison, *after)])
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, handler).run):
        await eventually(when(lambda: count(pool, [*before, *after]), 4))
        await eventually(lambda: _is(committed(infra, group, topic), 5))
    # The batch's transaction rolled back; then one event per transaction, as before batches.
    assert len(set(await transactions(pool, [*before, *after]))) == 4
    assert await applied_in_order(pool) == [e.event_id for e in (*before, *after)]
    letters = await pool.fetch(
        'SELECT "offset", error FROM dead_letters WHERE consumer = $1', group
    )
    assert [(r["offset"], r["error"]) for r in letters] == [
        (2, "RuntimeError('a bug in this release')")
    ]
    assert calls["poison"] == 1 + MAX_ATTEMPTS  # once in the batch, then retried alone
    claimed = "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = $2"
    assert await pool.fetchval(claimed, group, poison.event_id) == 0  # replayable later


async def test_a_batch_met_while_the_database_is_away_waits_for_it_and_skips_nothing(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    record = await recorder(pool)
    failures = iter(range(MAX_ATTEMPTS + 2))  # more than a handler failure may take

    async def restarting_database(conn: Conn, env: Envelope) -> None:
        if next(failures, None) is not None:
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        await record(conn, env)

    group, topic = await new_topic(infra)
    events = [user_event() for _ in range(3)]
    await one_record_batch(infra, topic, [e.to_json_bytes() for e in events])
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, restarting_database).run):
        await eventually(when(lambda: count(pool, events), len(events)))
    assert len(set(await transactions(pool, events))) == 1  # the batch, tried again whole
    dead = "SELECT count(*) FROM dead_letters WHERE consumer = $1"
    assert await pool.fetchval(dead, group) == 0


async def test_a_redelivered_batch_changes_nothing(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    handler = await recorder(pool)
    group, topic = await new_topic(infra)
    first, second, third = user_event(), user_event(), user_event()
    # A copy within the batch too (a relay that crashed mid-publish and published again).
    batch = [e.to_json_bytes() for e in (first, second, first, third)]
    await one_record_batch(infra, topic, batch)
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    consumer = Consumer(group, [topic], pool, settings, handler)
    async with running(consumer.run):
        await eventually(when(lambda: count(pool, [first, second, third]), 3))
        await one_record_batch(infra, topic, batch)  # the whole batch again
        marker = user_event()
        await one_record_batch(infra, topic, [marker.to_json_bytes()])
        await eventually(when(lambda: count(pool, [marker]), 1))
    await transactions(pool, [first, second, third, marker])  # each exactly once
    assert await applied_in_order(pool) == [e.event_id for e in (first, second, third, marker)]
    assert consumer.processed == 4
    assert outcomes(group, "applied") == 4
    assert outcomes(group, "duplicate") == 5


async def test_an_event_of_a_newer_release_mid_batch_stops_the_partition_there(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    handler = await recorder(pool)
    group, topic = await new_topic(infra)
    before, later = [user_event(), user_event()], user_event()
    newer = envelope(f"order-{uuid.uuid4()}", type_="orders.OrderArchived", schema_version=1)
    values = [e.to_json_bytes() for e in (*before, newer, later)]
    await one_record_batch(infra, topic, values)
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, handler).run):
        await eventually(when(lambda: count(pool, before), 2))
        await eventually(lambda: _is(blocked_partitions(group), 1.0))
        await asyncio.sleep(1)  # time enough to apply what must not be
    assert len(set(await transactions(pool, before))) == 1
    assert await count(pool, [newer, later]) == 0
    claimed = "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = ANY($2)"
    assert await pool.fetchval(claimed, group, [newer.event_id, later.event_id]) == 0
    assert await committed(infra, group, topic) == 2  # the newer event's offset


async def test_undecodable_bytes_mid_batch_are_dead_lettered_and_the_rest_applied_together(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    handler = await recorder(pool)
    group, topic = await new_topic(infra)
    first, last = user_event(), user_event()
    await one_record_batch(infra, topic, [first.to_json_bytes(), b"{garbage", last.to_json_bytes()])
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, handler).run):
        await eventually(when(lambda: count(pool, [first, last]), 2))
        await eventually(lambda: _is(committed(infra, group, topic), 3))
    assert len(set(await transactions(pool, [first, last]))) == 1
    letters = await pool.fetch(
        'SELECT "offset", error FROM dead_letters WHERE consumer = $1', group
    )
    assert [r["offset"] for r in letters] == [1]
    assert str(letters[0]["error"]).startswith("undecodable")


async def _is(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


async def blocked_partitions(group: str) -> float | None:
    return metrics.REGISTRY.get_sample_value("consumer_blocked_partitions", {"group": group})


async def test_begin_runs_first_in_the_batch_transaction(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    # Projections takes its feed's lock there (work_store.lock_feed), before any handler.
    pool = outbox.pool
    handler = await recorder(pool)

    async def begin(conn: Conn) -> None:  # a row with no event: the transaction's start
        await conn.execute("INSERT INTO applied (txid) VALUES (pg_current_xact_id())")

    group, topic = await new_topic(infra)
    events = [user_event() for _ in range(5)]
    await one_record_batch(infra, topic, [e.to_json_bytes() for e in events])
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, handler, begin=begin).run):
        await eventually(when(lambda: count(pool, events), len(events)))
    (txid,) = set(await transactions(pool, events))
    rows = await pool.fetch(
        "SELECT event_id FROM applied WHERE txid::text::bigint = $1 ORDER BY n", txid
    )
    # Once, in the batch's transaction, before every handler.
    assert [r["event_id"] for r in rows] == [None, *(e.event_id for e in events)]

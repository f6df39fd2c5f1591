"""The projections service under load: lag while events flow, and a rebuild from the logs.

Lag: the real consumer (plumbing.consumer.Consumer with the projections' `apply_event`, on a
schema migrated with the projections' MIGRATIONS) reads a topic of this run while a producer
publishes order lifecycles (OrderCreated, ManagerAssigned, StageChanged, CommentPosted,
DealTermsRecorded, ...) at a fixed rate. Lag per event = publish (just before `send`) to the
commit of its read-model change. Raw: a bare aiokafka consumer with the same group settings,
batch size and offset commits that does one INSERT (autocommit) of the event's JSON per
event, fed the same way at the same rate.

Rebuild: an orders event store (EVENT_STORE_DDL, appends through PostgresEventStore) and
empty scheduling/media/gateway outboxes, then `application.rebuild.rebuild` end to end
(fresh schema, migrations, replay, swap in place of a live schema, views) against a
server-side cursor reading `SELECT envelope FROM events ORDER BY position`, decoding each
row's JSON and writing it back with COPY into a fresh table (a rebuild writes what it reads;
before issue 17 step 1 the baseline only read, so the ratio counted all writing as ours).

Hooks: `lines = await run_projections_bench(url, bootstrap)` (lag, section `projections`)
and `lines = await run_rebuild_bench(url, events, rounds)` (section `rebuild`, no broker),
then print.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from bench.components import drop_topics
from bench.rounds import OURS, RAW, alternate, percentile, settle, shown, sides
from contracts.envelope import Actor, Envelope
from contracts.events import registry
from contracts.events.common import Address, Customer
from contracts.events.orders import (
    CommentPosted,
    DealTermsRecorded,
    ManagerAssigned,
    OrderCreated,
    ProductionFinished,
    StageChanged,
)
from contracts.topics import partition_key
from plumbing import db, kafka
from plumbing.batch_apply import Delivery
from plumbing.consumer import Consumer, Handler
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
)
from services.projections.adapters.tables import MIGRATIONS
from services.projections.application.apply import apply_event
from services.projections.application.rebuild import rebuild
from services.projections.bootstrap import Settings

ROW = "{:<30}{:>12}{:>12}{:>9}"
MANAGER = Actor(kind="user", id=str(uuid.uuid4()), username="manager", role="manager")
ACTIVE_ORDERS = 10  # orders in progress at once: their events interleave, as in a day's work
WARM_UP = 20  # events consumed (group joined, plans cached) before the clock starts
DRAIN_TIMEOUT_S = 120.0
APPEND_BATCH = 500  # event-store appends per transaction while filling the log
Key = tuple[int, int]  # (partition, offset) on the run's own topic
# Per consumed record: when its change committed, and how long the apply and commit took.
Done = dict[Key, tuple[float, float]]


# --- realistic orders events ---------------------------------------------------------------


def _envelope(event: BaseModel, order_id: uuid.UUID, version: int) -> Envelope:
    name = registry.type_name(event)
    return Envelope(
        event_id=uuid.uuid4(),
        type=name,
        schema_version=registry.current_version(name),
        stream_id=f"order-{order_id}",
        stream_version=version,
        occurred_at=datetime.now(UTC),  # evaluated when the generator is advanced: at send
        actor=MANAGER,
        correlation_id=str(uuid.uuid4()),
        data=event.model_dump(mode="json"),
    )


def _lifecycle(order_id: uuid.UUID, number: int) -> Iterator[BaseModel]:
    """Ten events: an order from intake to shipment preparation."""
    customer = Customer(
        name=f"Клиент {number}",
        phone=f"+7915{number % 10_000_000:07d}",
        address=Address(city="Москва", street=f"ул. Ленина {number % 500}", building="1"),
    )
    yield OrderCreated(order_id=order_id, number=number, title=f"Шкаф {number}", customer=customer)
    yield ManagerAssigned(order_id=order_id, manager_id=str(MANAGER.id))
    stages = ("intake", "measurement", "contract", "production", "shipment_prep")

    def move(step: int) -> StageChanged:
        return StageChanged(
            order_id=order_id,
            from_stage=stages[step],
            to_stage=stages[step + 1],
            direction="forward",
        )

    yield move(0)
    yield CommentPosted(order_id=order_id, comment_id=uuid.uuid4(), text="Замер в четверг")
    yield move(1)
    yield DealTermsRecorded(
        order_id=order_id,
        amount=Decimal(100_000 + number),
        decor="шпон дуба",
        finishing="матовый лак",
        extra_work="нет",
        payment_terms="50% предоплата",
    )
    yield move(2)
    yield CommentPosted(order_id=order_id, comment_id=uuid.uuid4(), text="Запущено в цех")
    yield ProductionFinished(order_id=order_id)
    yield move(3)


def _order_events(number: int) -> Iterator[Envelope]:
    order_id = uuid.uuid4()
    for version, event in enumerate(_lifecycle(order_id, number), start=1):
        yield _envelope(event, order_id, version)


def _flow(first_number: int = 1) -> Iterator[Envelope]:
    """An endless stream: ACTIVE_ORDERS orders in progress, taking turns."""
    active: deque[Iterator[Envelope]] = deque()
    number = first_number
    while True:
        while len(active) < ACTIVE_ORDERS:
            active.append(_order_events(number))
            number += 1
        events = active.popleft()
        envelope = next(events, None)
        if envelope is not None:
            active.append(events)
            yield envelope


# --- lag while events flow -----------------------------------------------------------------


class _Timed(Consumer):
    """The projections consumer, noting when each record's transaction has committed."""

    def __init__(
        self,
        group: str,
        topic: str,
        pool: asyncpg.Pool,
        settings: Settings,
        handler: Handler,
        done: Done,
    ) -> None:
        super().__init__(group, [topic], pool, settings, handler)
        self.done = done

    async def _apply_batch(self, deliveries: Sequence[Delivery]) -> int:
        started = time.perf_counter()
        applied = await super()._apply_batch(deliveries)
        ended = time.perf_counter()
        # Each record of a batch commits with the batch: in hand at its start, done at its end.
        for d in deliveries:
            self.done[(d.record.partition, d.record.offset)] = (ended, ended - started)
        return applied


async def _raw_consumer(
    settings: Settings, group: str, topic: str, pool: asyncpg.Pool, done: Done
) -> None:
    """Same consumer settings and loop shape as plumbing.consumer; one INSERT per event."""
    consumer = kafka.group_consumer(settings, group)  # the same settings as ours
    consumer.subscribe([topic])
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            offsets = {}
            for tp, records in batches.items():
                for record in records:
                    started = time.perf_counter()
                    await pool.execute(
                        "INSERT INTO raw_events (payload) VALUES ($1::text::jsonb)",
                        (record.value or b"").decode(),
                    )
                    ended = time.perf_counter()
                    done[(tp.partition, record.offset)] = (ended, ended - started)
                    offsets[tp] = record.offset + 1
            if offsets:
                await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def _publish(
    producer: AIOKafkaProducer, topic: str, flow: Iterator[Envelope], count: int, rate: float
) -> dict[Key, float]:
    """`count` events at `rate` per second on a fixed schedule (a late send does not push
    the next ones back). Returns when each was sent, by where it landed."""
    started = time.perf_counter()
    pending = []
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        envelope = next(flow)
        sent_at = time.perf_counter()
        delivery = await producer.send(
            topic, envelope.to_json_bytes(), key=partition_key(envelope.stream_id)
        )
        pending.append((sent_at, delivery))
    sent: dict[Key, float] = {}
    for sent_at, delivery in pending:
        meta = await delivery
        sent[(meta.partition, meta.offset)] = sent_at
    return sent


async def _drained(done: Done, keys: set[Key], task: asyncio.Task[None]) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while not keys <= done.keys():
        if task.done():
            task.result()  # raises what stopped the consumer
            raise RuntimeError("consumer stopped")
        if time.monotonic() > deadline:
            raise RuntimeError(f"consumed {len(keys & done.keys())} of {len(keys)} events")
        await asyncio.sleep(0.05)


async def _lag_run(
    producer: AIOKafkaProducer,
    topic: str,
    flow: Iterator[Envelope],
    consume: asyncio.Task[None],
    done: Done,
    count: int,
    rate: float,
) -> tuple[list[float], list[float]]:
    """(lag, apply and commit) in ms per event of `count` published at `rate`."""
    sent = await _publish(producer, topic, flow, count, rate)
    await _drained(done, set(sent), consume)
    lag = [(done[key][0] - at) * 1000 for key, at in sent.items()]
    return lag, [done[key][1] * 1000 for key in sent]


@dataclass(frozen=True)
class Lag:
    events: int
    ours_ms: list[float]
    raw_ms: list[float]
    ours_apply_ms: list[float]
    raw_apply_ms: list[float]


async def measure_lag(
    url: str, bootstrap: str, rate: float, seconds: float, rounds: int = 1
) -> Lag:
    """Lag per event, `rate` x `seconds` events per side spread over `rounds` rounds that
    alternate which side goes first (both consumers run all along; one is fed at a time)."""
    tag = uuid.uuid4().hex[:8]
    schema = f"bench_proj_{tag}"
    settings = Settings(db_schema=schema, database_url=url, kafka_bootstrap=bootstrap)
    # Topics of this run: against a shared broker the benchmark must feed no real consumer.
    ours_topic, raw_topic = f"bench.{schema}.orders", f"bench.{schema}.raw"
    await kafka.ensure_topics(bootstrap, [ours_topic, raw_topic], settings.kafka_partitions)
    count = max(1, round(rate * seconds))
    pool = await db.create_pool(url, schema, max_size=settings.db_pool_max)
    producer = kafka.producer(settings)
    await producer.start()
    try:
        await db.migrate(pool, schema, MIGRATIONS)
        await pool.execute("CREATE TABLE raw_events (id bigserial PRIMARY KEY, payload jsonb)")

        done: dict[str, Done] = {OURS: {}, RAW: {}}
        topics = {OURS: ours_topic, RAW: raw_topic}
        flows = {OURS: _flow(), RAW: _flow()}
        consumer = _Timed(
            f"projections-bench-{tag}", ours_topic, pool, settings, apply_event, done[OURS]
        )
        raw_consumer = _raw_consumer(
            settings, f"projections-bench-raw-{tag}", raw_topic, pool, done[RAW]
        )
        tasks = {
            OURS: asyncio.create_task(consumer.run()),
            RAW: asyncio.create_task(raw_consumer),
        }
        lag: dict[str, tuple[list[float], list[float]]] = {OURS: ([], []), RAW: ([], [])}
        try:
            for side in (OURS, RAW):  # group joined, plans cached, before any clock starts
                warm = await _publish(producer, topics[side], flows[side], WARM_UP, rate)
                await _drained(done[side], set(warm), tasks[side])
            per_round = math.ceil(count / rounds)
            for number in range(rounds):
                for side in sides(number):
                    await settle(f"before projection lag {side}, round {number + 1}")
                    found = await _lag_run(
                        producer,
                        topics[side],
                        flows[side],
                        tasks[side],
                        done[side],
                        per_round,
                        rate,
                    )
                    lag[side][0].extend(found[0])
                    lag[side][1].extend(found[1])
            await settle("after the projection lag rounds")
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
        cards = await pool.fetchval("SELECT count(*) FROM board_cards")
        if not cards:
            raise RuntimeError("the projection applied nothing to the board")
    finally:
        await producer.stop()
        await pool.execute(f"DROP SCHEMA {db.quote_ident(schema)} CASCADE")
        await pool.close()
        await drop_topics(bootstrap, [ours_topic, raw_topic])
    ours, raw = lag[OURS], lag[RAW]
    return Lag(len(ours[0]), ours[0], raw[0], ours[1], raw[1])


# --- rebuild from the logs -----------------------------------------------------------------


async def _fill_event_store(pool: asyncpg.Pool, schema: str, events: int) -> None:
    """`events` appends, one event each, through the orders service's own event store."""
    store = PostgresEventStore(pool, schema)
    flow = _flow()
    written = 0
    while written < events:
        async with pool.acquire() as conn, conn.transaction():
            for _ in range(min(APPEND_BATCH, events - written)):
                envelope = next(flow)
                await store.append_in(conn, envelope.stream_id, [envelope], None)
                written += 1
    await pool.execute("ANALYZE events")


async def _raw_read(url: str, schema: str) -> int:
    """Every envelope read once, so the table's pages are in memory for both sides."""
    conn = await asyncpg.connect(url)
    try:
        query = f"SELECT count(envelope::text) FROM {db.quote_ident(schema)}.events"
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


RAW_TABLE = "raw_rebuilt"  # in the orders schema of the run, dropped before each raw round
RAW_COPY_ROWS = 1000  # rows per COPY, as many as the cursor fetches at a time


async def _raw_rebuild(url: str, schema: str) -> tuple[int, float]:
    """(rows, seconds): every envelope in position order through a server-side cursor,
    decoded, and written back with COPY into a fresh table (its stream, type and the JSON
    encoded again): what a rebuild must at least do, read every event and write a row."""
    reader = await asyncpg.connect(url)
    writer = await asyncpg.connect(url)
    table = f"{db.quote_ident(schema)}.{RAW_TABLE}"
    try:
        await writer.execute(f"DROP TABLE IF EXISTS {table}")
        started = time.perf_counter()
        rows = 0
        batch: list[tuple[int, str, str, str]] = []
        async with reader.transaction(), writer.transaction():
            await writer.execute(
                f"CREATE TABLE {table} (position bigint PRIMARY KEY, stream_id text NOT NULL, "
                "type text NOT NULL, envelope jsonb NOT NULL)"
            )
            query = (
                f"SELECT position, envelope FROM {db.quote_ident(schema)}.events ORDER BY position"
            )
            async for row in reader.cursor(query, prefetch=RAW_COPY_ROWS):
                event = json.loads(row["envelope"])
                batch.append(
                    (row["position"], event["stream_id"], event["type"], json.dumps(event))
                )
                if len(batch) >= RAW_COPY_ROWS:
                    rows += len(batch)
                    await writer.copy_records_to_table(RAW_TABLE, records=batch, schema_name=schema)
                    batch.clear()
            if batch:
                rows += len(batch)
                await writer.copy_records_to_table(RAW_TABLE, records=batch, schema_name=schema)
        return rows, time.perf_counter() - started
    finally:
        await reader.close()
        await writer.close()


@dataclass(frozen=True)
class Rebuild:
    events: int
    orders: int
    ours: float  # events per second, medians
    raw: float


async def measure_rebuild(url: str, events: int, rounds: int) -> Rebuild:
    tag = uuid.uuid4().hex[:8]
    names = {part: f"bench_{part}_{tag}" for part in ("orders", "sched", "media", "gw", "proj")}
    settings = Settings(
        database_url=url,
        db_schema=names["proj"],
        orders_schema=names["orders"],
        scheduling_schema=names["sched"],
        media_schema=names["media"],
        gateway_schema=names["gw"],
        reporting_schema=f"bench_reporting_{tag}",
        analyst_role=f"bench_analyst_{tag}",  # roles are cluster-wide: one of our own
    )
    plan = settings.rebuild_plan()
    pools: list[asyncpg.Pool] = []
    try:
        for part, ddl in (
            ("orders", [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL]),
            ("sched", [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL]),
            ("media", [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL]),
            ("gw", [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL]),
            ("proj", MIGRATIONS),  # a live read model to swap out, as in production
        ):
            pools.append(await db.create_pool(url, names[part], max_size=2))
            await db.migrate(pools[-1], names[part], ddl)
        await _fill_event_store(pools[0], names["orders"], events)
        await _raw_read(url, names["orders"])  # the table's pages in memory for both sides

        async def ours() -> float:
            started = time.perf_counter()
            result = await rebuild(plan)
            seconds = time.perf_counter() - started
            if result.events != events:
                raise RuntimeError(f"rebuild applied {result.events} of {events} events")
            return seconds

        async def raw() -> float:
            rows, seconds = await _raw_rebuild(url, names["orders"])
            if rows != events:
                raise RuntimeError(f"the raw rebuild copied {rows} of {events} events")
            return seconds

        ours_rate, raw_rate = await alternate(rounds, events, ours, raw, "rebuild")
        cards = await pools[-1].fetchval(
            f"SELECT count(*) FROM {db.quote_ident(names['proj'])}.board_cards"
        )
    finally:
        for pool in pools:
            await pool.close()
        await _drop(url, [*names.values(), plan.reporting_schema], plan.analyst_role)
    return Rebuild(events, int(cards), ours_rate, raw_rate)


async def _drop(url: str, schemas: list[str], role: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for schema in schemas:
            await conn.execute(f"DROP SCHEMA IF EXISTS {db.quote_ident(schema)} CASCADE")
        with contextlib.suppress(asyncpg.PostgresError):  # never made without CREATEROLE
            await conn.execute(f"DROP OWNED BY {db.quote_ident(role)}")
            await conn.execute(f"DROP ROLE IF EXISTS {db.quote_ident(role)}")
    finally:
        await conn.close()


# --- the section ---------------------------------------------------------------------------


async def run_projections_bench(
    database_url: str,
    bootstrap: str,
    *,
    rate: float = 50.0,
    seconds: float = 20.0,
    rounds: int = 1,
) -> list[str]:
    lag = await measure_lag(database_url, bootstrap, rate, seconds, rounds)
    lines = [ROW.format(f"projection lag at {rate:g} ev/s", "ours ms", "raw ms", "ratio")]
    for label, q, ours, raw in (
        (f"  lag p50 ({lag.events:,} ev)", 0.5, lag.ours_ms, lag.raw_ms),
        (f"  lag p99 ({lag.events:,} ev)", 0.99, lag.ours_ms, lag.raw_ms),
        ("  apply+commit p50", 0.5, lag.ours_apply_ms, lag.raw_apply_ms),
        ("  apply+commit p99", 0.99, lag.ours_apply_ms, lag.raw_apply_ms),
    ):
        mine, theirs = percentile(ours, q), percentile(raw, q)
        ratio = f"{mine / theirs:.2f}" if mine and theirs else ""
        lines.append(ROW.format(label, shown(mine), shown(theirs), ratio))
    return [
        *lines,
        "lag: publish (before send) to the commit of the event's read-model change; "
        f"{WARM_UP} warm-up events first; {rounds} round(s) alternating which side is fed first;",
        "     apply+commit: from the record in hand to its transaction committed",
        "     ours = plumbing Consumer + projections apply_event (inbox claim, board, stage "
        "intervals, feed);",
        "     raw = aiokafka consumer, same group settings and batches, one INSERT of the JSON "
        "per event",
    ]


async def run_rebuild_bench(database_url: str, events: int, rounds: int) -> list[str]:
    built = await measure_rebuild(database_url, events, rounds)
    return [
        ROW.format("rebuild from the logs", "ours ev/s", "raw ev/s", "ratio"),
        ROW.format(
            f"  {built.events:,} ev, {built.orders:,} orders",
            f"{built.ours:,.0f}",
            f"{built.raw:,.0f}",
            f"{built.ours / built.raw:.3f}",
        ),
        f"rebuild: median of {rounds} round(s) of the whole command (fresh schema, migrate, "
        "replay, swap for the live one, views)",
        "     raw = server-side cursor SELECT envelope ORDER BY position, json.loads per row, "
        f"and COPY (asyncpg, {RAW_COPY_ROWS:,} rows at a time) of its stream, type and JSON "
        "into a fresh table, one transaction",
    ]

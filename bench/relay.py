"""Relay throughput: our Relay draining an outbox against a bare aiokafka producer.

Both sides start warm (connected, topic metadata fetched, one message acknowledged) and
publish the same N payloads with the same keys, so the ratio shows what the relay adds:
batches of plumbing.relay.BATCH awaited one after the other, a checkpoint write per batch,
and reading the log back from PostgreSQL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaProducer

from bench import costs
from bench.components import drop_topics
from bench.rounds import OURS, RAW, paired, settle
from contracts.envelope import Envelope
from contracts.topics import partition_key
from plumbing import db, kafka
from plumbing.ordered_log import (
    OUTBOX_DDL,
    OUTBOX_ORDER_DDL,
    OUTBOX_TRACE_DDL,
    Cursor,
    LogRecord,
    Outbox,
)
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL, Relay
from plumbing.settings import ServiceSettings
from tests.factories import envelope, new_stream

# (key, value) as the raw producer sends it.
Raw = tuple[bytes, bytes]
EVENTS_PER_STREAM = 5  # keys repeat, as one order's events do
TIMEOUT_S = 300.0


class _OwnTopic:
    """The outbox, published to a topic of this run instead of the one its events name.

    Against a shared broker (KAFKA_BOOTSTRAP) a benchmark must not feed real consumers; the
    rewrite is a dataclass copy per record, far below what the measurement can resolve.
    """

    def __init__(self, outbox: Outbox, topic: str) -> None:
        self.outbox = outbox
        self.topic = topic
        self.name = outbox.name
        self.channel = outbox.channel

    async def read_after(self, after: Cursor, limit: int) -> Sequence[LogRecord]:
        records = await self.outbox.read_after(after, limit)
        return [dataclasses.replace(r, topic=self.topic) for r in records]

    async def held_back(self, after: Cursor) -> bool:
        return await self.outbox.held_back(after)

    async def head(self) -> int:
        return await self.outbox.head()


def _envelopes(count: int) -> list[Envelope]:
    envelopes: list[Envelope] = []
    while len(envelopes) < count:
        stream_id = new_stream()
        envelopes += [envelope(stream_id) for _ in range(EVENTS_PER_STREAM)]
    return envelopes[:count]


async def _append(outbox: Outbox, envelopes: Sequence[Envelope]) -> int:
    """Append `envelopes` in one transaction and return the new head.

    One transaction, so the relay sees all of them at once, at commit: the clock starts
    with the whole backlog visible and the fill time stays out of the figure.
    """
    async with outbox.pool.acquire() as conn, conn.transaction():
        await outbox.append(conn, envelopes)
    return await outbox.head()


async def _as_stored(pool: asyncpg.Pool, envelopes: Sequence[Envelope]) -> list[Raw]:
    """(key, value) of each envelope exactly as the relay reads it from the outbox (the
    jsonb's text), made before either side runs, so raw can go first."""
    texts = await pool.fetch(
        "SELECT v::jsonb::text AS value FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) "
        "ORDER BY n",
        [env.model_dump_json() for env in envelopes],
    )
    return [
        (partition_key(env.stream_id), row["value"].encode())
        for env, row in zip(envelopes, texts, strict=True)
    ]


async def _reached(pool: asyncpg.Pool, log: str, head: int, relay: asyncio.Task[None]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        value = await pool.fetchval("SELECT checkpoint FROM relay_state WHERE log = $1", log)
        if value is not None and value >= head:
            return
        if relay.done() or time.monotonic() > deadline:
            raise RuntimeError(f"relay stopped at checkpoint {value} of {head}")
        await asyncio.sleep(0.005)  # fine enough against runs of a second and more


async def _ours(
    outbox: Outbox, settings: ServiceSettings, topic: str, envelopes: Sequence[Envelope]
) -> float:
    source = _OwnTopic(outbox, topic)
    relay = Relay(source, outbox.pool, settings, [topic])
    task = asyncio.create_task(relay.run())
    try:
        warm = await _append(outbox, _envelopes(1))
        await _reached(outbox.pool, source.name, warm, task)
        head = await _append(outbox, envelopes)
        async with costs.side("relay", OURS, len(envelopes)):
            started = time.perf_counter()
            await _reached(outbox.pool, source.name, head, task)
            return time.perf_counter() - started
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _raw(bootstrap: str, topic: str, records: Sequence[Raw]) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await (await producer.send(topic, b"warm-up", key=records[0][0]))
        async with costs.side("relay", RAW, len(records)):
            started = time.perf_counter()
            sent = [await producer.send(topic, value, key=key) for key, value in records]
            await asyncio.gather(*sent)
            return time.perf_counter() - started
    finally:
        await producer.stop()


async def _round(url: str, bootstrap: str, events: int, ours_first: bool) -> tuple[float, float]:
    """Seconds (ours, raw) to publish `events` events, in a schema and topics of its own."""
    schema = f"relay_{uuid.uuid4().hex[:8]}"
    settings = ServiceSettings(service_name=schema, database_url=url, kafka_bootstrap=bootstrap)
    ours_topic, raw_topic = f"bench.{schema}.relay", f"bench.{schema}.raw"
    # Both topics alike: the same partition count the relay would create.
    await kafka.ensure_topics(bootstrap, [ours_topic, raw_topic], settings.kafka_partitions)
    pool = await db.create_pool(url, schema)
    try:
        await db.migrate(
            pool,
            schema,
            [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL, RELAY_DDL, RELAY_ORDER_DDL],
        )
        outbox = Outbox(pool, schema)
        envelopes = _envelopes(events)
        records = await _as_stored(pool, envelopes)  # the same payloads and keys
        seconds: dict[str, float] = {}
        for number, side in enumerate((OURS, RAW) if ours_first else (RAW, OURS)):
            if number:
                await settle(f"before relay {side}")
            if side == OURS:
                seconds[side] = await _ours(outbox, settings, ours_topic, envelopes)
            else:
                seconds[side] = await _raw(bootstrap, raw_topic, records)
        ours_s, raw_s = seconds[OURS], seconds[RAW]
    finally:
        await pool.close()
        await drop_topics(bootstrap, [ours_topic, raw_topic, f"relay.{schema}.outbox"])
    return ours_s, raw_s


async def measure(url: str, bootstrap: str, events: int, rounds: int) -> tuple[float, float]:
    """(median ours ev/s, median raw ev/s) over `rounds` rounds, raw first in even rounds."""
    return await paired(
        rounds, events, lambda ours_first: _round(url, bootstrap, events, ours_first), "relay"
    )

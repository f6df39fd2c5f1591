"""Events old code cannot lose: a release beside a newer one, on the real broker.

An event this release cannot read (a type it does not know, or a schema version newer than it
knows) stops its partition uncommitted; a newer release in the same group reads on from it.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.identity import UserRegistered
from contracts.events.registry import EventType, Registry
from plumbing import db, kafka, metrics
from plumbing.app import Runtime, create_app
from plumbing.consumer import Consumer
from plumbing.dead_letters import DEAD_LETTER_REPLAY_DDL
from plumbing.inbox import INBOX_DDL
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL, Outbox
from services.projections.adapters import logs
from tests.conftest import Infra
from tests.factories import envelope
from tests.integration.helpers import (
    append,
    count_of,
    eventually,
    make_sink,
    running,
    settings_for,
    user_event,
)

USER = "identity.UserRegistered"
ARCHIVED = "orders.OrderArchived"  # a type only the newer release has
NEXT = registry.current_version(USER) + 1  # a schema version only the newer release reads


class OrderArchived(BaseModel):
    order_id: uuid.UUID


class UserRegisteredNext(UserRegistered):
    nickname: str | None = None


def newer_release() -> Registry:
    """This release's registry plus what the next one adds: a type and a schema version."""
    user = registry.event_type(USER)
    return Registry(
        {
            **registry.EVENT_TYPES,
            ARCHIVED: EventType(ARCHIVED, {1: OrderArchived}),
            USER: EventType(
                USER,
                {**user.versions, NEXT: UserRegisteredNext},
                {**user.upcasters, user.current: lambda data: {**data, "nickname": None}},
            ),
        }
    )


def archived() -> Envelope:
    order_id = uuid.uuid4()
    data = {"order_id": str(order_id)}
    return envelope(f"order-{order_id}", type_=ARCHIVED, schema_version=1, data=data)


def next_version_user() -> Envelope:
    current = user_event()
    data: dict[str, Any] = {**current.data, "nickname": "ivan"}
    return current.model_copy(update={"schema_version": NEXT, "data": data})


def gauge(group: str) -> float | None:
    return metrics.REGISTRY.get_sample_value("consumer_blocked_partitions", {"group": group})


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    pool, schema = schema_pool
    await db.migrate(pool, schema, [INBOX_DDL, DEAD_LETTER_REPLAY_DDL])
    return pool


async def topic_of(infra: Infra, partitions: int) -> str:
    topic = f"future-{uuid.uuid4().hex[:8]}"
    await kafka.ensure_topics(infra.kafka_bootstrap, [topic], partitions)
    return topic


async def produce(infra: Infra, topic: str, partition: int, events: list[Envelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(topic, event.to_json_bytes(), partition=partition)
    finally:
        await producer.stop()


async def committed(infra: Infra, group: str, tp: TopicPartition) -> int | None:
    reader = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, group_id=group)
    await reader.start()
    try:
        # Bounded: a test that cannot ask the broker should fail, not hang.
        offset: int | None = await asyncio.wait_for(reader.committed(tp), 30)
        return offset
    finally:
        await reader.stop()


async def applied(pool: asyncpg.Pool, events: list[Envelope]) -> bool:
    return all([await count_of(pool, e.event_id, 1) for e in events])


async def _is(value: object, expected: object) -> bool:
    return value == expected


async def untouched(pool: asyncpg.Pool, group: str, events: list[Envelope]) -> None:
    """Neither applied, nor claimed in the inbox, nor dead-lettered."""
    ids = [e.event_id for e in events]
    assert await pool.fetchval("SELECT count(*) FROM sink WHERE event_id = ANY($1)", ids) == 0
    claimed = "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = ANY($2)"
    assert await pool.fetchval(claimed, group, ids) == 0
    dead = "SELECT count(*) FROM dead_letters WHERE consumer = $1"
    assert await pool.fetchval(dead, group) == 0


async def test_an_event_of_a_newer_release_waits_for_that_release(
    pool: asyncpg.Pool, infra: Infra, database_url: str
) -> None:
    settings = settings_for(infra, database_url, "future")
    handler = await make_sink(pool)
    topic, group = await topic_of(infra, 2), f"future-{uuid.uuid4().hex[:8]}"
    first, blocker, later = user_event(), archived(), [next_version_user(), user_event()]
    elsewhere = [user_event(), user_event()]
    await produce(infra, topic, 0, [first, blocker, *later])
    await produce(infra, topic, 1, elsewhere)

    old = Consumer(group, [topic], pool, settings, handler)
    async with running(old.run):
        await eventually(lambda: applied(pool, [first, *elsewhere]))
        await eventually(lambda: _is(gauge(group), 1))
        # The other partition keeps flowing past the block.
        flowing = user_event()
        await produce(infra, topic, 1, [flowing])
        await eventually(lambda: applied(pool, [flowing]))
        # Quiet long enough for the watchdog to call the held lag a stall (it must not).
        await asyncio.sleep(4 * settings.consumer_watchdog_interval_s)
        rebuilds = metrics.REGISTRY.get_sample_value("consumer_rebuilds_total", {"group": group})
        assert not rebuilds
        await untouched(pool, group, [blocker, *later])
        ready = await readiness()
        assert ready.status_code == 200
        assert ready.json()["blocked_partitions"][group] == 1
        assert ready.json()["consumers"][group]["caught_up"] is False  # the held event counts
    assert await committed(infra, group, TopicPartition(topic, 0)) == 1  # the blocker's offset

    newer = Consumer(group, [topic], pool, settings, handler, newer_release())
    async with running(newer.run):
        await eventually(lambda: applied(pool, [blocker, *later]))
        assert gauge(group) == 0
    everything = [first, blocker, *later, *elsewhere, flowing]
    assert await applied(pool, everything)  # each exactly once
    assert await pool.fetchval("SELECT count(*) FROM sink") == len(everything)


async def test_a_newer_schema_version_of_a_known_type_blocks_too_and_again_after_a_restart(
    pool: asyncpg.Pool, infra: Infra, database_url: str
) -> None:
    settings = settings_for(infra, database_url, "future")
    handler = await make_sink(pool)
    topic, group = await topic_of(infra, 1), f"future-{uuid.uuid4().hex[:8]}"
    first, blocker, later = user_event(), next_version_user(), user_event()
    await produce(infra, topic, 0, [first, blocker, later])

    for _ in range(2):  # a restarted (or rebalanced) consumer reads from the commit: same stop
        async with running(Consumer(group, [topic], pool, settings, handler).run):
            await eventually(lambda: applied(pool, [first]))
            await eventually(lambda: _is(gauge(group), 1))
            await untouched(pool, group, [blocker, later])
        assert await committed(infra, group, TopicPartition(topic, 0)) == 1


async def test_a_rebuild_stops_at_an_event_of_a_newer_release(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    """A rebuild that skipped it would claim it in the fresh inbox: lost after the swap."""
    pool, schema = schema_pool
    await db.migrate(pool, schema, [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL])
    await append(Outbox(pool, schema), [user_event(), archived()])
    async with pool.acquire() as conn:
        with pytest.raises(registry.UnknownEventType):
            await logs.read_after(conn, logs.LogTable(schema, "outbox"), 0, 10)


async def readiness() -> httpx.Response:
    app = create_app("future-test", Runtime())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        return await client.get("/readyz")

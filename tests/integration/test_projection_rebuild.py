"""`make rebuild-projections` against real PostgreSQL: the logs replayed into a fresh schema
equal the live read models by checksum, and the swap loses nothing the live consumer
applies while it runs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from contracts.envelope import Envelope
from plumbing import db
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL, order_ddl
from services.projections.adapters.logs import LogTable
from services.projections.adapters.tables import MIGRATIONS
from services.projections.application.rebuild import Plan, rebuild
from tests.integration.projections_world import (
    deliver,
    interleave,
    new_order,
    pipeline_v1,
    pipeline_v2,
    published,
    stage_counts,
    sums,
    user,
    visit,
)

NOW = datetime.now(UTC)
EVENTS_DDL = (
    "CREATE TABLE IF NOT EXISTS events (position bigint PRIMARY KEY, event_id uuid NOT NULL, "
    "stream_id text NOT NULL, stream_version int NOT NULL, envelope jsonb NOT NULL)"
)


class World:
    """Fake producers' logs (an orders event store and a scheduling/gateway outbox) plus a
    live projections schema fed through the consumer's claim-then-apply path."""

    def __init__(self, url: str, tag: str) -> None:
        self.url, self.tag = url, tag
        self.live = f"p_{tag}"
        self.orders, self.outbox = f"o_{tag}", f"s_{tag}"
        self.position = 0

    async def start(self) -> None:
        self.pool = await db.create_pool(self.url, self.live, max_size=5)
        await db.migrate(self.pool, self.live, MIGRATIONS)
        self.logs = await db.create_pool(self.url, self.orders, max_size=2)
        await db.migrate(self.logs, self.orders, [EVENTS_DDL, order_ddl("events")])
        self.side = await db.create_pool(self.url, self.outbox, max_size=2)
        await db.migrate(self.side, self.outbox, [OUTBOX_DDL, OUTBOX_TRACE_DDL, OUTBOX_ORDER_DDL])

    async def close(self) -> None:
        for pool in (self.pool, self.logs, self.side):
            await pool.close()

    async def publish(self, env: Envelope) -> None:
        """Append to the producer's log (as its relay would see it)."""
        self.position += 1
        if env.type.startswith("orders."):
            await self.logs.execute(
                "INSERT INTO events VALUES ($1, $2, $3, $4, $5)",
                self.position,
                env.event_id,
                env.stream_id,
                env.stream_version,
                env.model_dump(mode="json"),
            )
        else:
            await self.side.execute(
                "INSERT INTO outbox (position, event_id, topic, key, envelope) "
                "VALUES ($1, $2, 't', ''::bytea, $3)",
                self.position,
                env.event_id,
                env.model_dump(mode="json"),
            )

    def plan(self) -> Plan:
        return Plan(
            database_url=self.url,
            live=self.live,
            sources=[
                LogTable(self.orders, "events"),
                LogTable(self.outbox, "outbox"),
                LogTable(f"absent_{self.tag}", "outbox"),
            ],
            reporting_schema=f"r_{self.tag}",
            analyst_role=f"analyst_{self.tag}",
        )


def history(n: int) -> list[Envelope]:
    crew = [uuid.uuid4() for _ in range(4)]
    out = [user(m, f"c{m.hex[:8]}", "installer", NOW) for m in crew]
    # Pipeline versions live in the orders log too: half the orders follow version 2.
    out += [published(1, pipeline_v1(), NOW), published(2, pipeline_v2(), NOW)]
    for i in range(n):
        order = new_order(1000 + i)
        order.created(NOW - timedelta(days=10, hours=i), pipeline_version=1 + i % 2)
        order.deal(NOW - timedelta(days=9))
        order.move("intake", "measurement", NOW - timedelta(days=8, hours=i))
        out.extend(order.log)
        booked, task, _ = visit(order.id, crew[i % 4], NOW + timedelta(days=i % 5), 2)
        out.extend([booked, task])
    return out


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    w = World(database_url, uuid.uuid4().hex[:8])
    await w.start()
    yield w
    await w.close()


async def test_rebuilt_read_models_equal_the_live_ones(world: World) -> None:
    events = history(12)
    for env in events:
        await world.publish(env)
    interleaved = interleave(events, 3)  # live saw the topics interleaved differently
    for env in interleaved:
        await deliver(world.pool, env)
    live = await sums(world.pool)

    result = await rebuild(world.plan())

    assert result.events == len(events)
    assert await sums(world.pool) == live  # the same pool now reads the swapped-in tables
    stored, counted = await stage_counts(world.pool)  # filled from the cards the load wrote
    assert stored == counted
    assert sum(stored.values()) == 12
    schemas = await world.pool.fetch(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{world.live}%"
    )
    assert [r["nspname"] for r in schemas] == [world.live]  # the retired one is dropped


async def test_a_rebuild_includes_logged_events_the_live_side_has_not_applied_yet(
    world: World,
) -> None:
    events = history(3)
    for env in events:
        await world.publish(env)
    for env in events[:-4]:
        await deliver(world.pool, env)
    await rebuild(world.plan())
    for env in events:  # the consumer catches up: everything is a duplicate now
        assert not await deliver(world.pool, env)
    fresh = await sums(world.pool)
    await rebuild(world.plan())
    assert await sums(world.pool) == fresh


async def test_events_applied_live_during_a_rebuild_survive_the_swap(world: World) -> None:
    for env in history(20):
        await world.publish(env)
        await deliver(world.pool, env)
    stop = asyncio.Event()

    async def live_traffic() -> None:
        i = 0
        while not stop.is_set():
            order = new_order(5000 + i)
            env = order.created(datetime.now(UTC))
            await world.publish(env)  # logged first, then consumed, as in production
            await deliver(world.pool, env)
            i += 1

    traffic = asyncio.create_task(live_traffic())
    await asyncio.sleep(0.2)
    await rebuild(world.plan())
    await asyncio.sleep(0.2)
    stop.set()
    await traffic
    live = await sums(world.pool)
    cards = await world.pool.fetchval("SELECT count(*) FROM board_cards")
    logged = await world.logs.fetchval(
        "SELECT count(*) FROM events WHERE envelope->>'type' = 'orders.OrderCreated'"
    )
    assert logged > 20
    assert cards == logged  # every order created while the swap ran is there
    stored, counted = await stage_counts(world.pool)  # load, catch-up and live writes alike
    assert stored == counted
    assert sum(stored.values()) == cards
    await rebuild(world.plan())  # a second rebuild from the logs finds nothing missing
    assert await sums(world.pool) == live

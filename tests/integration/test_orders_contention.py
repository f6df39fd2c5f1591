"""Contention on one order against the real PostgreSQL event store (issue 17, step 9).

Two OrderService instances, each with a pool of its own on one database, stand for two
replicas of the orders service. Many comments at once on one order, a fact of another service
delivered to both at once, and one idempotent create sent many times at once: every comment
lands exactly once, in one order that the stream versions and the log's positions agree on; the
fact lands once; the create makes one order. A stale expected version is still a 409.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from plumbing import db
from plumbing.ordered_log import START
from services.orders.adapters.pipeline_store import (
    PIPELINES_DDL,
    PostgresPipelineStore,
    PostgresUserDirectory,
    upsert_user,
)
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
    PostgresOrderNumbers,
)
from services.orders.application.facts import FactHandler
from services.orders.application.pipelines import Pipelines
from services.orders.application.service import OrderService, stream_of
from services.orders.application.usecases import Orders
from services.orders.domain.errors import VersionConflict
from tests.factories import envelope
from tests.unit.orders_scenario import CUSTOMER, MANAGER

PER_REPLICA = 16


@dataclass
class Replica:
    pool: asyncpg.Pool
    store: PostgresEventStore
    orders: Orders
    facts: FactHandler

    async def fact(self, env: object) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.facts(conn, env)  # type: ignore[arg-type]


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[tuple[Replica, Replica]]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pools = [await db.create_pool(database_url, schema, max_size=10) for _ in range(2)]
    try:
        await db.migrate(
            pools[0], schema, [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL, PIPELINES_DDL]
        )
        made = []
        for pool in pools:
            store = PostgresEventStore(pool, schema)
            pipelines = Pipelines(PostgresPipelineStore(pool, store))
            await pipelines.ensure_default()
            core = OrderService(store, pipelines)
            orders = Orders(core, PostgresOrderNumbers(pool), PostgresUserDirectory(pool))
            made.append(Replica(pool, store, orders, FactHandler(core, upsert_user)))
        yield made[0], made[1]
    finally:
        for pool in pools:
            await pool.close()


async def new_order(replica: Replica) -> uuid.UUID:
    made = await replica.orders.create(
        title="Шкаф", customer=CUSTOMER, description=None, actor=MANAGER
    )
    assert made.order.id is not None
    return made.order.id


async def test_many_comments_at_once_on_two_replicas_all_land_once_in_one_order(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    oid = await new_order(a)
    texts = [f"комментарий {i}" for i in range(2 * PER_REPLICA)]
    uploaded = envelope(
        f"media-{uuid.uuid4()}",
        type_="media.MediaUploaded",
        data={
            "media_id": str(uuid.uuid4()),
            "order_id": str(oid),
            "kind": "document",
            "purpose": "requirements",
            "filename": "requirements.pdf",
            "content_type": "application/pdf",
            "size": 1000,
            "uploaded_by": str(uuid.uuid4()),
        },
    )

    async with asyncio.timeout(60):
        answers = await asyncio.gather(
            *(
                (a if i % 2 else b).orders.comment(oid, MANAGER, text)
                for i, text in enumerate(texts)
            ),
            # The same fact redelivered, consumed by both replicas at once: applied once.
            a.fact(uploaded),
            b.fact(uploaded),
        )

    assert all(outcome is None or outcome.appended for outcome in answers)  # no 409, no no-op
    stream = await a.store.read_stream(stream_of(oid))
    posted = [s.envelope.data["text"] for s in stream if s.envelope.type == "orders.CommentPosted"]
    assert sorted(posted) == sorted(texts)  # every comment, each exactly once
    noted = [s for s in stream if s.envelope.causation_id == str(uploaded.event_id)]
    assert len(noted) == 1
    # One order, told the same by the stream's versions and by the global log's positions.
    assert [s.envelope.stream_version for s in stream] == list(range(1, len(stream) + 1))
    positions = [s.position for s in stream]
    assert positions == sorted(positions)
    cursors = [s.cursor for s in stream]  # and by the order followers read the log in
    assert cursors == sorted(cursors)
    in_log = [s.envelope.event_id for s in await a.store.read_all(START, 10_000)]
    assert [i for i in in_log if i in {s.envelope.event_id for s in stream}] == [
        s.envelope.event_id for s in stream
    ]
    order = await b.orders.core.load(oid)
    assert order.version == 1 + len(texts) + 1
    assert len(a.orders.core.orders_in_hand) == len(b.orders.core.orders_in_hand) == 0


async def test_a_stale_expected_version_is_still_a_409_while_comments_land(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    oid = await new_order(a)
    manager_id = str(uuid.uuid4())

    async with asyncio.timeout(60):
        results = await asyncio.gather(
            *(b.orders.comment(oid, MANAGER, f"№{i}") for i in range(8)),
            a.orders.assign_manager(oid, MANAGER, manager_id, expected=1),
            return_exceptions=True,
        )
        stale = await asyncio.gather(
            a.orders.assign_manager(oid, MANAGER, manager_id, expected=1),
            b.orders.assign_manager(oid, MANAGER, manager_id, expected=1),
            return_exceptions=True,
        )

    assert not [r for r in results[:8] if isinstance(r, BaseException)]
    # The first assignment saw version 1 or lost to a comment: applied or 409, never retried.
    assigned = results[8]
    assert not isinstance(assigned, BaseException) or isinstance(assigned, VersionConflict)
    assert all(isinstance(r, VersionConflict) for r in stale), stale
    assert {r.code for r in stale if isinstance(r, VersionConflict)} == {"version_conflict"}
    order = await a.orders.core.load(oid)
    applied = 0 if isinstance(assigned, BaseException) else 1
    assert order.version == 1 + 8 + applied


async def test_one_idempotency_key_sent_many_times_at_once_creates_one_order(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    body = {"title": "Шкаф", "customer": CUSTOMER.model_dump(mode="json")}

    async def create(replica: Replica) -> tuple[uuid.UUID | None, bool]:
        made = await replica.orders.create(
            title="Шкаф",
            customer=CUSTOMER,
            description=None,
            actor=MANAGER,
            idempotency_key="заказ-1",
            request_body=body,
        )
        return made.order.id, made.created

    async with asyncio.timeout(60):
        made = await asyncio.gather(*(create(a if i % 2 else b) for i in range(8)))

    assert len({order_id for order_id, _ in made}) == 1
    assert sum(created for _, created in made) == 1
    [order_id] = {order_id for order_id, _ in made}
    assert order_id is not None
    stream = await a.store.read_stream(stream_of(order_id))
    assert [s.envelope.type for s in stream] == ["orders.OrderCreated"]
    created_events = await a.pool.fetchval(
        "SELECT count(*) FROM events WHERE envelope->>'type' = 'orders.OrderCreated'"
    )
    assert created_events == 1

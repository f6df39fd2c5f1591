"""The orders service publishes its pipelines on PostgreSQL: every version once, whole, as
orders.PipelinePublished (event N of the `pipeline` stream is version N), in the transaction
that stores it; versions the previous release stored are published once at start-up, however
many replicas start together; a saved version reaches the broker through the relay, and new
orders follow it while older ones keep theirs."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from contracts.envelope import Actor, Envelope
from contracts.events import orders as ev
from contracts.events import registry
from contracts.topics import ORDERS
from plumbing import db
from services.orders.adapters.pipeline_store import PIPELINES_DDL, PostgresPipelineStore
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
)
from services.orders.application.pipelines import PipelineBusy, Pipelines, definition_of
from services.orders.application.ports import PIPELINE_STREAM
from tests import pipeline_versions as versions
from tests.conftest import Infra
from tests.fixtures.previous_release.startup import restore, started
from tests.integration.helpers import running
from tests.integration.orders_harness import (
    Orders,
    actor,
    components,
    database,
    orders_service,
    read_topic,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "previous_release" / "schema"
DIRECTOR = Actor(kind="user", id=str(uuid.uuid4()), username="director", role="director")
VARNISHING = versions.with_varnishing().model_dump(mode="json")
WITHOUT_REWORK = versions.without_rework().model_dump(mode="json")


async def stream(conn: asyncpg.Connection | asyncpg.Pool, schema: str) -> list[Envelope]:
    rows = await conn.fetch(
        f'SELECT envelope::text AS e FROM "{schema}".events '
        "WHERE stream_id = $1 ORDER BY stream_version",
        PIPELINE_STREAM,
    )
    return [Envelope.model_validate_json(r["e"]) for r in rows]


def decoded(envelopes: list[Envelope]) -> list[ev.PipelinePublished]:
    out = []
    for n, env in enumerate(envelopes, start=1):
        event = registry.decode(env)
        assert isinstance(event, ev.PipelinePublished)
        assert env.stream_version == event.version == n  # event N is version N
        out.append(event)
    return out


async def test_previous_release_versions_are_published_once_by_replicas_starting_together(
    infra: Infra,
) -> None:
    async with database(infra, "pipe_upgrade") as url:
        restore(url, SCHEMAS / "orders.sql", SCHEMAS / "orders.steps.sql")
        conn = await asyncpg.connect(url)
        try:
            # What the previous release kept: versions in its table, no PipelinePublished.
            for version, body in (
                (1, versions.default_pipeline()),
                (2, versions.with_varnishing()),
            ):
                await conn.execute(
                    "INSERT INTO orders.pipelines (version, definition) VALUES ($1, $2::jsonb)",
                    version,
                    body.model_dump_json(),
                )

            async def replica() -> None:
                async with started("orders", components(infra), url):
                    pass

            await asyncio.gather(*(replica() for _ in range(3)))
            published = decoded(await stream(conn, "orders"))
            assert [p.version for p in published] == [1, 2]
            assert published[1].definition == versions.with_varnishing()
            await replica()  # a restart publishes nothing again
            assert len(await stream(conn, "orders")) == 2
        finally:
            await conn.close()


@pytest.fixture
async def replicas(schema_pool: tuple[asyncpg.Pool, str]) -> list[Pipelines]:
    """Three replicas' pipelines over one schema (each with its own cache)."""
    pool, schema = schema_pool
    await db.migrate(
        pool, schema, [EVENT_STORE_DDL, EVENTS_TRACE_DDL, EVENTS_ORDER_DDL, PIPELINES_DDL]
    )
    events = PostgresEventStore(pool, schema)
    return [Pipelines(PostgresPipelineStore(pool, events)) for _ in range(3)]


async def test_directors_saving_at_once_get_one_published_version_each(
    replicas: list[Pipelines], schema_pool: tuple[asyncpg.Pool, str]
) -> None:
    pool, schema = schema_pool
    await asyncio.gather(*(r.ensure_default() for r in replicas))
    bodies = [VARNISHING, WITHOUT_REWORK] * 3
    saved = await asyncio.gather(
        *(replicas[i % 3].publish(body, DIRECTOR) for i, body in enumerate(bodies))
    )
    assert sorted(p.version for p in saved) == list(range(2, 8))
    published = decoded(await stream(pool, schema))
    assert len(published) == 7
    for pipeline in saved:
        assert published[pipeline.version - 1].definition == definition_of(pipeline)
    table = await pool.fetch("SELECT version, definition FROM pipelines ORDER BY version")
    assert [dict(r["definition"]) for r in table] == [
        p.definition.model_dump(mode="json") for p in published
    ]


async def test_a_version_whose_event_cannot_be_appended_is_not_stored(
    replicas: list[Pipelines], schema_pool: tuple[asyncpg.Pool, str]
) -> None:
    pool, schema = schema_pool
    pipelines = replicas[0]
    await pipelines.ensure_default()
    # The stream's event 2 exists already (written by hand): version 2's append must fail.
    [first] = await stream(pool, schema)
    await PostgresEventStore(pool, schema).append(
        PIPELINE_STREAM, [first.model_copy(update={"event_id": uuid.uuid4()})], expected_version=1
    )
    with pytest.raises(PipelineBusy):
        await pipelines.publish(VARNISHING, DIRECTOR)
    assert await pool.fetchval("SELECT max(version) FROM pipelines") == 1


async def test_a_saved_version_reaches_the_broker_and_new_orders_follow_it(
    infra: Infra,
) -> None:
    director_id = str(uuid.uuid4())
    async with database(infra, "pipe_flow") as url, orders_service(infra, url) as orders:
        before = await orders.create()
        saved = await orders.ok("PUT", "/pipeline", actor("director", director_id), json=VARNISHING)
        assert saved["version"] == 2
        async with running(orders.relay):
            key, env = await read_topic(
                infra, ORDERS, {"type": "orders.PipelinePublished", "actor.id": director_id}
            )
        assert key == PIPELINE_STREAM.encode()
        event = registry.decode(env)
        assert isinstance(event, ev.PipelinePublished)
        assert event.version == 2
        assert event.definition == versions.with_varnishing()

        after = await orders.create()
        card = await orders.to_production(after)
        assert card["pipeline_version"] == 2
        assert card["next_stages"] == ["varnishing"]
        card = await orders.move(after, "varnishing")
        assert (card["stage"], card["stage_title"]) == ("varnishing", "Лакировка")
        assert card["next_stages"] == ["shipment_prep"]
        card = await orders.move(after, "shipment_prep")
        assert card["stage_title"] == "Подготовка к отгрузке"
        assert (await summaries(orders, after))[-2:] == [
            "Переход: Производство → Лакировка",
            "Переход: Лакировка → Подготовка к отгрузке",
        ]

        # The order created before keeps version 1: no varnishing, its own titles.
        card = await orders.to_production(before)
        assert (card["pipeline_version"], card["stage_title"]) == (1, "Производство")
        assert card["next_stages"] == ["shipment_prep"]
        refused = await orders.http.post(
            f"/orders/{before}/transitions", headers=actor("manager"), json={"to": "varnishing"}
        )
        assert refused.status_code == 422, refused.text
        await orders.move(before, "shipment_prep")
        assert (await summaries(orders, before))[-1] == (
            "Переход: Производство → Подготовка к отгрузке"
        )


async def summaries(orders: Orders, order_id: str) -> list[str]:
    history = await orders.ok("GET", f"/orders/{order_id}/history", actor("manager"))
    return [h["summary"] for h in history if h["type"] == "orders.StageChanged"]

"""Today's code still runs on what the previous release left behind (tests/fixtures/
previous_release): its databases upgrade to exactly a fresh install, and every event it wrote
is still read — decoded by the registry and accepted by every consumer's handler."""

from __future__ import annotations

import difflib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.topics import topic_for
from plumbing.inbox import claim
from services.orders.adapters.postgres_event_store import PostgresEventStore
from tests.conftest import Infra
from tests.fixtures.previous_release.startup import (
    SERVICE_MODULES,
    Components,
    Started,
    create_database,
    drop_database,
    restore,
    schema_dump,
    started,
)

FROZEN = Path(__file__).resolve().parents[1] / "fixtures" / "previous_release"
SCHEMAS = FROZEN / "schema"
PREVIOUS_SERVICES = sorted(p.stem for p in SCHEMAS.glob("*.sql") if ".steps" not in p.suffixes)
PREVIOUS_EVENTS = [line for line in (FROZEN / "events.jsonl").read_text().splitlines() if line]


def components(infra: Infra) -> Components:
    return Components(
        infra.kafka_bootstrap, infra.s3_endpoint, infra.s3_access_key, infra.s3_secret_key
    )


@asynccontextmanager
async def fresh_database(infra: Infra, purpose: str) -> AsyncIterator[str]:
    name = f"prev_{purpose}_{uuid.uuid4().hex[:8]}"
    url = await create_database(infra.server_url, name)
    try:
        yield url
    finally:
        await drop_database(infra.server_url, name)


async def applied_steps(database_url: str) -> dict[str, list[int]]:
    conn = await asyncpg.connect(database_url)
    try:
        schemas = await conn.fetch(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'schema_migrations' ORDER BY 1"
        )
        return {
            s: [
                r["step"]
                for r in await conn.fetch(f'SELECT step FROM "{s}".schema_migrations ORDER BY 1')
            ]
            for s in (row["table_schema"] for row in schemas)
        }
    finally:
        await conn.close()


def previous_envelopes() -> list[Envelope]:
    return [Envelope.model_validate_json(line) for line in PREVIOUS_EVENTS]


def test_the_previous_release_is_frozen_whole() -> None:
    source = json.loads((FROZEN / "source.json").read_text())
    assert source["release"]
    assert source["commit"]
    assert PREVIOUS_SERVICES, "no schema dumps"
    keys = [(e.type, e.schema_version) for e in previous_envelopes()]
    assert len(keys) == len(set(keys)), "one sample per type and schema version"


def test_every_service_of_the_previous_release_still_exists() -> None:
    # A service that goes away needs a decision about its data, not a silent skip here.
    assert set(PREVIOUS_SERVICES) <= set(SERVICE_MODULES)


@pytest.mark.parametrize("service", PREVIOUS_SERVICES)
async def test_previous_schema_upgrades_to_what_a_fresh_install_has(
    service: str, infra: Infra
) -> None:
    parts = components(infra)
    async with (
        fresh_database(infra, f"{service}_up") as upgraded,
        fresh_database(infra, f"{service}_new") as fresh,
    ):
        restore(upgraded, SCHEMAS / f"{service}.sql", SCHEMAS / f"{service}.steps.sql")
        previous = schema_dump(upgraded)
        async with started(service, parts, upgraded):
            pass
        async with started(service, parts, fresh):
            pass
        after_upgrade, fresh_install = schema_dump(upgraded), schema_dump(fresh)
        diff = "\n".join(
            difflib.unified_diff(
                fresh_install.splitlines(),
                after_upgrade.splitlines(),
                "fresh install",
                "previous release upgraded",
                lineterm="",
            )
        )
        assert after_upgrade == fresh_install, diff
        assert await applied_steps(upgraded) == await applied_steps(fresh)
        # The restore really was the previous release's schema, not an empty database that
        # start-up then filled in.
        assert "CREATE TABLE" in previous


def test_every_previous_event_decodes_with_todays_registry() -> None:
    for envelope in previous_envelopes():
        try:
            registry.decode(envelope)
        except Exception as exc:
            raise AssertionError(f"{envelope.type} v{envelope.schema_version}: {exc}") from exc


def test_every_previous_type_and_version_is_still_registered() -> None:
    # Old events are upcast on read, never rewritten: no version may be dropped.
    gone = sorted(
        f"{e.type} v{e.schema_version}"
        for e in previous_envelopes()
        if not registry.known(e.type)
        or e.schema_version not in registry.event_type(e.type).versions
    )
    assert not gone


async def _store_previous_order_streams(svc: Started) -> set[UUID]:
    """Orders reads its own events back from its store: put the previous ones there."""
    store = PostgresEventStore(svc.pool, "orders")
    orders = set()
    for envelope in previous_envelopes():
        if envelope.type.startswith("orders."):
            await store.append(envelope.stream_id, [envelope], expected_version=None)
            orders.add(UUID(envelope.stream_id.removeprefix("order-")))
    return orders


@pytest.mark.parametrize("service", sorted(SERVICE_MODULES))
async def test_todays_consumers_accept_every_previous_event(service: str, infra: Infra) -> None:
    async with (
        fresh_database(infra, f"{service}_ev") as url,
        started(service, components(infra), url) as svc,
    ):
        if not svc.consumers:
            pytest.skip(f"{service} consumes no events")
        orders = await _store_previous_order_streams(svc) if service == "orders" else set()
        applied = 0
        for consumer in svc.consumers:
            for envelope in previous_envelopes():
                if topic_for(envelope.type) not in consumer.topics:
                    continue
                # What the consumer loop does per message: upcast, then claim and apply in
                # one transaction.
                async with svc.pool.acquire() as conn, conn.transaction():
                    assert await claim(conn, consumer.group, envelope.event_id)
                    try:
                        await consumer.handler(conn, registry.upcast(envelope))
                    except Exception as exc:
                        raise AssertionError(f"{consumer.group} refused {envelope.type}") from exc
                applied += 1
        assert applied > 0
        for order_id in orders:
            order = await svc.app.state.core.load(order_id)
            assert order.id == order_id

"""The Bitrix24 import over the real PostgreSQL event store (issue 20): a failure halfway
leaves nothing, while the import's progress was visible from outside as it went; the same
document then imports whole, once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from contracts.envelope import Actor, Envelope
from plumbing import db
from services.orders.adapters.import_jobs import (
    IMPORTS_DDL,
    IMPORTS_HEARTBEAT_DDL,
    PostgresImportJobs,
)
from services.orders.adapters.pipeline_store import PIPELINES_DDL, PostgresPipelineStore
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    EVENTS_ORDER_DDL,
    EVENTS_TRACE_DDL,
    PostgresEventStore,
    PostgresOrderNumbers,
)
from services.orders.application.imports import Importer
from services.orders.application.pipelines import Pipelines
from services.orders.application.ports import Appender, AppendResult, IdempotencyRecord
from services.orders.application.service import OrderService
from tests import bitrix24_fixture as b24

ADMIN = Actor(
    kind="user", id="0b0b0b0b-0000-4000-8000-000000000001", username="admin", role="admin"
)
FAIL_AT = 150


class Observed:
    """What another connection saw while the import's transaction was open."""

    done: int | None = None
    events: int | None = None


class FailingStore(PostgresEventStore):
    """The real store, whose import fails at its FAIL_AT-th append (a fault no check foresaw);
    just before, it looks from outside at what is visible."""

    def __init__(self, pool: asyncpg.Pool, schema: str, jobs: PostgresImportJobs) -> None:
        super().__init__(pool, schema)
        self.jobs = jobs
        self.seen = Observed()

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[Appender]:
        async with super().atomically() as tx:
            yield _Failing(tx, self)


class _Failing:
    def __init__(self, inner: Appender, store: FailingStore) -> None:
        self.inner = inner
        self.store = store
        self.count = 0

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        self.count += 1
        if self.count == FAIL_AT:
            job = await self.store.pool.fetchval("SELECT max(done) FROM imports")
            self.store.seen.done = job
            self.store.seen.events = await self.store.pool.fetchval("SELECT count(*) FROM events")
            raise ConnectionError("the database went away halfway")
        return await self.inner.append(stream_id, events, expected_version, idempotency)


async def _importer(pool: asyncpg.Pool, store: PostgresEventStore) -> Importer:
    pipelines = Pipelines(PostgresPipelineStore(pool, store))
    await pipelines.ensure_default()
    core = OrderService(store, pipelines)
    return Importer(core, store, PostgresOrderNumbers(pool), PostgresImportJobs(pool))


async def _run(importer: Importer, document: dict[str, Any]) -> dict[str, Any]:
    job, found = await importer.begin(document, [], ADMIN, dry_run=False)
    return await importer.run(job, found, ADMIN, dry_run=False)


async def test_an_import_failing_halfway_leaves_nothing_and_a_rerun_imports_it_whole(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    pool, schema = schema_pool
    await db.migrate(
        pool,
        schema,
        [
            EVENT_STORE_DDL,
            EVENTS_TRACE_DDL,
            EVENTS_ORDER_DDL,
            PIPELINES_DDL,
            IMPORTS_DDL,
            IMPORTS_HEARTBEAT_DDL,
        ],
    )
    jobs = PostgresImportJobs(pool)
    failing = FailingStore(pool, schema, jobs)
    portal = b24.portal()
    importer = await _importer(pool, failing)
    events_before = await pool.fetchval("SELECT count(*) FROM events")  # the pipeline's

    with pytest.raises(ConnectionError):
        await _run(importer, portal)

    # While it ran: progress was visible from outside, its orders were not.
    assert failing.seen.done is not None
    assert failing.seen.done >= FAIL_AT - 20
    assert failing.seen.events == events_before
    # After: nothing of it is kept, and its job says it failed.
    assert await pool.fetchval("SELECT count(*) FROM events") == events_before
    assert await pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    job = await pool.fetchrow("SELECT status, error::text AS error FROM imports")
    assert job is not None
    assert job["status"] == "failed"
    assert "went away" in job["error"]

    store = PostgresEventStore(pool, schema)
    report = await _run(await _importer(pool, store), portal)
    assert (report["created"], report["skipped"]) == (200, [])
    assert await pool.fetchval("SELECT count(*) FROM idempotency_keys") == 200
    again = await _run(await _importer(pool, store), portal)
    assert (again["created"], again["unchanged"]) == (0, 200)
    created = await pool.fetchval(
        "SELECT count(*) FROM events WHERE envelope->>'type' = 'orders.OrderCreated'"
    )
    assert created == 200

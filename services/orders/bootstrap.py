"""Wiring: the one place that picks adapters for the orders service."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, MEDIA, ORDERS, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.dead_letters import DEAD_LETTER_REPLAY_DDL
from plumbing.inbox import INBOX_DDL
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.orders.adapters.import_jobs import (
    IMPORTS_DDL,
    IMPORTS_HEARTBEAT_DDL,
    PostgresImportJobs,
)
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
from services.orders.application.imports import Importer
from services.orders.application.pipelines import Pipelines
from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders
from services.orders.entrypoints import (
    errors,
    http,
    http_commands,
    http_imports,
    http_pipeline,
)


class Settings(ServiceSettings):
    service_name: str = "orders"
    # The gateway forwards an import document of up to its own 1 MB re-encoded as ASCII JSON
    # (a Cyrillic letter becomes \uXXXX: up to three times the bytes) with the users to match.
    # Only the gateway can call this service, so nothing larger than that reaches it.
    http_max_body_bytes: int = 4 * 1024 * 1024


MIGRATIONS = [
    EVENT_STORE_DDL,
    RELAY_DDL,
    INBOX_DDL,
    PIPELINES_DDL,
    IMPORTS_DDL,
    IMPORTS_HEARTBEAT_DDL,
    DEAD_LETTER_REPLAY_DDL,
    EVENTS_TRACE_DDL,
    EVENTS_ORDER_DDL,
    RELAY_ORDER_DDL,
]
# Gate facts and robot requests come from scheduling and media; users from identity.
CONSUMED = [SCHEDULING, MEDIA, IDENTITY]


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        store = PostgresEventStore(pool, settings.schema_name)
        pipelines = Pipelines(PostgresPipelineStore(pool, store))
        await pipelines.ensure_default()  # also publishes versions stored before the event
        core = OrderService(store, pipelines)
        app.state.core = core
        numbers = PostgresOrderNumbers(pool)
        app.state.orders = Orders(core, numbers, PostgresUserDirectory(pool))
        app.state.importer = Importer(core, store, numbers, PostgresImportJobs(pool))
        app.state.import_tasks = set()
        relay = Relay(store, pool, settings, [ORDERS])
        consumer = Consumer("orders", CONSUMED, pool, settings, FactHandler(core, upsert_user))
        return [relay.run, consumer.run]

    service = build_service(
        settings,
        ServiceSpec(
            migrations=MIGRATIONS,
            topics=[ORDERS, *CONSUMED],
            wire=wire,
            published_log="events",  # the event store is the log (projections' rebuild reads it)
            routers=[http.router, http_commands.router, http_pipeline.router, http_imports.router],
        ),
    )
    errors.install(service)  # the orders domain's errors → HTTP statuses, in one table
    return service

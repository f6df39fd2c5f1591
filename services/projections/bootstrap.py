"""Wiring of the projections service: read-model tables, the consumer, the read API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, MEDIA, ORDERS, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.metrics import REGISTRY
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.projections.adapters import changes_store, lag, reporting, work_store
from services.projections.adapters.logs import LogTable
from services.projections.adapters.tables import MIGRATIONS
from services.projections.application.apply import GROUP, apply_event
from services.projections.application.rebuild import Plan
from services.projections.entrypoints import customers_http, reports_http
from services.projections.entrypoints.http import router

log = logging.getLogger(__name__)


class Settings(ServiceSettings):
    service_name: str = "projections"
    # The analysts' schema of views and the read-only role that may read it (README).
    reporting_schema: str = "reporting"
    analyst_role: str = "oms_analyst"
    analyst_password: str = ""  # empty: the role cannot log in (grant it to a login role)
    # Where the logs live, for `make rebuild-projections` only (see adapters/logs.py).
    orders_schema: str = "orders"
    scheduling_schema: str = "scheduling"
    media_schema: str = "media"
    gateway_schema: str = "gateway"

    def rebuild_plan(self) -> Plan:
        return Plan(
            database_url=self.database_url,
            live=self.schema_name,
            sources=[
                LogTable(self.orders_schema, "events"),
                LogTable(self.scheduling_schema, "outbox"),
                LogTable(self.media_schema, "outbox"),
                LogTable(self.gateway_schema, "outbox"),
            ],
            reporting_schema=self.reporting_schema,
            analyst_role=self.analyst_role,
        )


TOPICS = [ORDERS, SCHEDULING, MEDIA, IDENTITY]


async def housekeeping(pool: asyncpg.Pool, every_s: float = 5.0) -> None:
    """Mirror the consumer's lag as the projection's events-behind gauge; prune the feed."""
    rounds = 0
    while True:
        behind = REGISTRY.get_sample_value("consumer_lag_messages", {"group": GROUP})
        lag.LAG_EVENTS.set(behind or 0)
        rounds += 1
        if rounds % 720 == 1:  # about hourly
            with contextlib.suppress(asyncpg.PostgresError, OSError):
                await changes_store.prune(pool)
        await asyncio.sleep(every_s)


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        async with pool.acquire() as conn:
            await reporting.install(
                conn,
                settings.schema_name,
                settings.reporting_schema,
                settings.analyst_role,
                settings.analyst_password or None,
            )
        # The feed's lock first: see work_store.lock_feed.
        consumer = Consumer(GROUP, TOPICS, pool, settings, apply_event, begin=work_store.lock_feed)
        app.state.consumer = consumer

        async def keep() -> None:
            await housekeeping(pool)

        return [consumer.run, keep]

    return build_service(
        settings,
        ServiceSpec(
            migrations=MIGRATIONS,
            topics=TOPICS,
            wire=wire,
            routers=[router, customers_http.router, reports_http.router],
        ),
    )

"""Wiring: the one place that picks adapters for the orders service."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import ORDERS
from plumbing.relay import RELAY_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.orders.adapters.postgres_event_store import (
    EVENT_STORE_DDL,
    PostgresEventStore,
    PostgresOrderNumbers,
)
from services.orders.application.service import OrderService
from services.orders.entrypoints.http import router


class Settings(ServiceSettings):
    service_name: str = "orders"


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        store = PostgresEventStore(pool, settings.schema_name)
        app.state.orders = OrderService(store, PostgresOrderNumbers(pool))
        relay = Relay(store, pool, settings, [ORDERS])
        return [relay.run]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[EVENT_STORE_DDL, RELAY_DDL], topics=[ORDERS], wire=wire, routers=[router]
        ),
    )

"""The common shape of a service: a pool on its own schema, migrations, topics, background
loops (relay, consumer), readiness checks on its real dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI

from plumbing import db, kafka
from plumbing.app import Check, Runtime, create_app
from plumbing.settings import ServiceSettings

Job = Callable[[], Coroutine[Any, Any, None]]
Wire = Callable[[asyncpg.Pool, FastAPI], Awaitable[Sequence[Job]]]


@dataclass
class ServiceSpec:
    migrations: Sequence[str]
    topics: Sequence[str]
    wire: Wire  # puts the service's objects on app.state and returns its background jobs
    routers: Sequence[APIRouter] = ()
    checks: dict[str, Check] = field(default_factory=dict)


def build_service(settings: ServiceSettings, spec: ServiceSpec) -> FastAPI:
    pools: list[asyncpg.Pool] = []
    jobs: list[Job] = []
    app: FastAPI

    async def start() -> None:
        pool = await db.create_pool(
            settings.database_url, settings.schema_name, settings.db_pool_max
        )
        pools.append(pool)
        await db.migrate(pool, settings.schema_name, spec.migrations)
        if spec.topics:
            await kafka.ensure_topics(
                settings.kafka_bootstrap, spec.topics, settings.kafka_partitions
            )
        app.state.pool = pool
        jobs.extend(await spec.wire(pool, app))

    async def run_jobs() -> None:
        import asyncio  # noqa: PLC0415 - local to keep the module's import surface small

        await asyncio.gather(*(job() for job in jobs))

    async def stop() -> None:
        for pool in pools:
            await pool.close()

    async def check_db() -> None:
        await pools[0].fetchval("SELECT 1")

    async def check_kafka() -> None:
        await kafka.existing_topics(settings.kafka_bootstrap)

    app = create_app(
        settings.service_name,
        Runtime(
            startup=[start],
            background=[run_jobs],
            shutdown=[stop],
            checks={"postgres": check_db, "kafka": check_kafka, **spec.checks},
        ),
    )
    for router in spec.routers:
        app.include_router(router)
    return app

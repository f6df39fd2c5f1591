"""The common shape of a service: a pool on its own schema, migrations, topics, background
loops (relay, consumer), readiness checks on its real dependencies."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, FastAPI

from plumbing import db, kafka
from plumbing.actor import ActorVerifier, WeakInternalKey, actor_from_token, check_internal_key
from plumbing.app import Check, Report, Runtime, create_app
from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

Job = Callable[[], Coroutine[Any, Any, None]]
Wire = Callable[[asyncpg.Pool, FastAPI], Awaitable[Sequence[Job]]]


@dataclass
class ServiceSpec:
    migrations: Sequence[str]
    topics: Sequence[str]
    wire: Wire  # puts the service's objects on app.state and returns its background jobs
    routers: Sequence[APIRouter] = ()
    # Needed to serve its own requests (with its database, always): see plumbing/app.Runtime.
    checks: dict[str, Check] = field(default_factory=dict)
    # Used, not needed to serve (with the broker, always): reported, never leave rotation.
    dependencies: dict[str, Check] = field(default_factory=dict)
    reports: Sequence[Report] = ()
    # Every route of a service answers only calls the gateway signed (plumbing/actor.py); the
    # gateway's own routes face users and say per route what they need.
    routes_need_gateway: bool = True
    # The table others may read (settings.db_log_readers): plumbing's outbox, unless the
    # service keeps a log of its own (orders' event store). Absent table: nothing granted.
    published_log: str = "outbox"


async def _retry(what: str, attempt: Callable[[], Awaitable[T]], timeout_s: float = 60) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("waiting for %s: %s", what, exc)
            await asyncio.sleep(1)


def build_service(settings: ServiceSettings, spec: ServiceSpec) -> FastAPI:
    """The app; raises WeakInternalKey (after logging why) without a real internal key: a
    service that cannot tell the gateway's calls from anyone's must not serve."""
    try:
        check_internal_key(settings.internal_signing_key)
    except WeakInternalKey as weak:
        log.critical("refusing to start: %s", weak)
        raise
    pools: list[asyncpg.Pool] = []
    jobs: list[Job] = []
    app: FastAPI

    async def start() -> None:
        # Dependencies may come up after us (or restart): wait for them instead of dying.
        pool = await _retry(
            "postgres",
            lambda: db.create_pool(
                settings.database_url, settings.schema_name, settings.db_pool_max
            ),
        )
        pools.append(pool)
        if settings.migrate_on_start:
            await db.migrate(pool, settings.schema_name, spec.migrations)
        else:
            await _retry(
                "the migrations Job",
                lambda: db.migrate(pool, settings.schema_name, spec.migrations, apply=False),
                timeout_s=300,
            )
        if settings.log_readers:
            await db.grant_log_readers(
                pool, settings.schema_name, spec.published_log, settings.log_readers
            )
        if spec.topics:
            await _retry(
                "kafka",
                lambda: kafka.ensure_topics(settings, spec.topics, settings.kafka_partitions),
            )
        app.state.pool = pool
        jobs.extend(await spec.wire(pool, app))

    async def run_jobs() -> None:
        await asyncio.gather(*(job() for job in jobs))

    probes: list[kafka.OffsetProbe] = []  # the readiness report's one client, made when asked

    async def stop() -> None:
        for pool in pools:
            await pool.close()
        for probe in probes:
            await probe.close()

    async def check_db() -> None:
        await pools[0].fetchval("SELECT 1")

    async def check_kafka() -> None:
        if not probes:
            probes.append(kafka.OffsetProbe(settings))
        probe = probes[0]
        try:
            await probe.topics()
        except BaseException:
            # A client that failed (a broker restarted, a check timed out mid-request) is
            # closed and the next check starts a fresh one.
            if probes and probes[0] is probe:
                probes.pop()
            await probe.close()
            raise

    app = create_app(
        settings.service_name,
        Runtime(
            startup=[start],
            background=[run_jobs],
            shutdown=[stop],
            checks={"postgres": check_db, **spec.checks},
            # A broker outage shows as lag (commands wait in the outbox), not as a dark site.
            dependencies={"kafka": check_kafka, **spec.dependencies},
            reports=spec.reports,
        ),
    )
    app.state.actor_verifier = ActorVerifier(settings.internal_signing_key, settings.service_name)
    guard = [Depends(actor_from_token)] if spec.routes_need_gateway else []
    for router in spec.routers:
        app.include_router(router, dependencies=guard)
    return app

"""Wiring of the scheduling service."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from fastapi import FastAPI

from contracts.events.scheduling import RETIRED_NOTIFY_RULES
from contracts.topics import IDENTITY, MEDIA, ORDERS, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.dead_letters import DEAD_LETTER_REPLAY_DDL
from plumbing.inbox import INBOX_DDL
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL, Outbox
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.scheduling.adapters import rule_store
from services.scheduling.adapters.completion_keys import COMPLETION_KEYS_DDL
from services.scheduling.adapters.crew_store import CREW_DDL
from services.scheduling.adapters.order_arrivals import ORDER_ARRIVALS_DDL, PostgresOrderArrivals
from services.scheduling.adapters.pipeline_store import PIPELINES_DDL
from services.scheduling.adapters.presence_store import PRESENCE_DDL
from services.scheduling.adapters.tables import SCHEDULING_DDL
from services.scheduling.adapters.timer_store import IMPORTED_TIMERS_DDL
from services.scheduling.adapters.visit_store import VISIT_NOTE_DDL
from services.scheduling.application.apply import EventHandler
from services.scheduling.application.automation import Automation
from services.scheduling.application.crew import Crew
from services.scheduling.application.events import Emitter
from services.scheduling.application.known_orders import KnownOrders
from services.scheduling.application.presence import Presence
from services.scheduling.application.robots import Robots
from services.scheduling.application.tasks import Tasks
from services.scheduling.application.timers import StageTimers
from services.scheduling.application.visits import Visits
from services.scheduling.domain.defaults import DEFAULT_RULES
from services.scheduling.entrypoints import automation, errors, http, tasks, visits

log = logging.getLogger(__name__)

# Append-only: a deployed database has applied these in this order.
MIGRATIONS = [
    INBOX_DDL,
    OUTBOX_DDL,
    RELAY_DDL,
    CREW_DDL,
    SCHEDULING_DDL,
    ORDER_ARRIVALS_DDL,
    PIPELINES_DDL,
    PRESENCE_DDL,
    COMPLETION_KEYS_DDL,
    VISIT_NOTE_DDL,
    IMPORTED_TIMERS_DDL,
    DEAD_LETTER_REPLAY_DDL,
    OUTBOX_TRACE_DDL,
    OUTBOX_ORDER_DDL,
    RELAY_ORDER_DDL,
]


class Settings(ServiceSettings):
    service_name: str = "scheduling"
    travel_buffer_minutes: int = 30
    company_timezone: str = "Europe/Moscow"
    timer_poll_interval_s: float = 5.0
    consumer_group: str = "scheduling"
    # How long a command naming an order scheduling has not heard of yet waits for it (a
    # client that has just created the order; API.md's `min_version` read waits as long).
    # Keep it well below the gateway's upstream timeout, or the gateway gives up first.
    unknown_order_wait_s: float = 5.0
    # How often such a command looks again if no notification woke it (one can be missed).
    unknown_order_poll_s: float = 0.5


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        async with pool.acquire() as conn, conn.transaction():
            await rule_store.seed(conn, DEFAULT_RULES)
            retired = await rule_store.retire(conn, RETIRED_NOTIFY_RULES)
        if retired:
            log.info("retired the seeded notify robots %s (notifications routes them)", retired)
        buffer = timedelta(minutes=settings.travel_buffer_minutes)
        outbox = Outbox(pool, settings.schema_name)
        emitter = Emitter(outbox)
        robots = Robots(emitter)
        timers = StageTimers(pool, emitter, robots, settings.timer_poll_interval_s)
        handler = EventHandler(robots)
        arrivals = PostgresOrderArrivals(
            pool, settings.database_url, settings.schema_name, settings.unknown_order_poll_s
        )
        known_orders = KnownOrders(arrivals, settings.unknown_order_wait_s)
        app.state.outbox = outbox
        app.state.robots = robots
        app.state.handler = handler
        app.state.timers = timers
        app.state.arrivals = arrivals
        app.state.known_orders = known_orders
        app.state.crew = Crew(pool, buffer, settings.company_timezone)
        app.state.visits = Visits(pool, emitter, robots, buffer, known_orders)
        app.state.presence = Presence(pool, emitter)
        app.state.tasks = Tasks(pool, emitter, robots, settings.company_timezone)
        app.state.automation = Automation(pool, emitter)
        consumer = Consumer(
            settings.consumer_group, [IDENTITY, ORDERS, MEDIA], pool, settings, handler
        )
        app.state.consumer = consumer
        relay = Relay(outbox, pool, settings, [SCHEDULING])
        return [consumer.run, relay.run, timers.run, arrivals.run]

    service = build_service(
        settings,
        ServiceSpec(
            migrations=MIGRATIONS,
            topics=[IDENTITY, ORDERS, MEDIA, SCHEDULING],
            wire=wire,
            routers=[http.router, visits.router, tasks.router, automation.router],
        ),
    )
    errors.install(service)  # the scheduling domain's refusals → HTTP statuses, in one table
    return service

"""Wiring of the scheduling service."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.inbox import INBOX_DDL
from plumbing.ordered_log import OUTBOX_DDL, Outbox
from plumbing.relay import RELAY_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.scheduling.adapters.crew_store import CREW_DDL
from services.scheduling.application.apply import apply_event
from services.scheduling.entrypoints.http import router


class Settings(ServiceSettings):
    service_name: str = "scheduling"


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        outbox = Outbox(pool, settings.schema_name)
        app.state.outbox = outbox
        consumer = Consumer("scheduling", [IDENTITY], pool, settings, apply_event)
        return [consumer.run, Relay(outbox, pool, settings, [SCHEDULING]).run]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[INBOX_DDL, OUTBOX_DDL, RELAY_DDL, CREW_DDL],
            topics=[IDENTITY, SCHEDULING],
            wire=wire,
            routers=[router],
        ),
    )

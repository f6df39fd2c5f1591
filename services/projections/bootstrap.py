"""Wiring of the projections service: read-model tables, the consumer, the read API."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, MEDIA, ORDERS, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.inbox import INBOX_DDL
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.projections.adapters.tables import ACCESS_DDL, READ_MODEL_DDL
from services.projections.application.apply import apply_event
from services.projections.entrypoints.http import router


class Settings(ServiceSettings):
    service_name: str = "projections"


TOPICS = [ORDERS, SCHEDULING, MEDIA, IDENTITY]


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        consumer = Consumer("projections", TOPICS, pool, settings, apply_event)
        app.state.consumer = consumer
        return [consumer.run]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[INBOX_DDL, READ_MODEL_DDL, ACCESS_DDL],
            topics=TOPICS,
            wire=wire,
            routers=[router],
        ),
    )

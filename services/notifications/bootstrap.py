"""Wiring of the notifications service."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, ORDERS
from plumbing.consumer import Consumer
from plumbing.inbox import INBOX_DDL
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.notifications.adapters.inbox_store import NOTIFICATIONS_DDL
from services.notifications.application.apply import apply_event
from services.notifications.entrypoints.http import router

TOPICS = [IDENTITY, ORDERS]


class Settings(ServiceSettings):
    service_name: str = "notifications"


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, _app: FastAPI) -> Sequence[Job]:
        return [Consumer("notifications", TOPICS, pool, settings, apply_event).run]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[INBOX_DDL, NOTIFICATIONS_DDL], topics=TOPICS, wire=wire, routers=[router]
        ),
    )

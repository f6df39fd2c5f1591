"""Wiring of the notifications service."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, ORDERS, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.inbox import INBOX_DDL
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.notifications.adapters.facts_store import FACTS_DDL, PIPELINES_DDL
from services.notifications.adapters.inbox_store import NOTIFICATIONS_DDL, NOTIFICATIONS_SEQ_DDL
from services.notifications.adapters.push_store import PUSH_DDL
from services.notifications.adapters.telegram_store import TELEGRAM_DDL
from services.notifications.application.apply import Notifier
from services.notifications.application.reminders import ReminderSender
from services.notifications.channel_wiring import ChannelSettings, push_and_telegram
from services.notifications.entrypoints.channels_http import channels_router
from services.notifications.entrypoints.http import router

TOPICS = [IDENTITY, ORDERS, SCHEDULING]


class Settings(ServiceSettings, ChannelSettings):
    service_name: str = "notifications"
    company_timezone: str = "Europe/Moscow"
    reminder_hour: int = 8


def build(settings: Settings) -> FastAPI:
    async def wire(pool: asyncpg.Pool, _app: FastAPI) -> Sequence[Job]:
        notifier = Notifier(settings.company_timezone, settings.reminder_hour)
        sender = ReminderSender(pool, settings.company_timezone)
        # Web Push and Telegram: the outbox (issue 16) takes `channels`; the jobs link
        # Telegram chats by their one-time codes.
        _channels, channel_jobs = push_and_telegram(settings, pool)
        return [
            Consumer("notifications", TOPICS, pool, settings, notifier).run,
            sender.run,
            *channel_jobs,
        ]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[
                INBOX_DDL,
                NOTIFICATIONS_DDL,
                FACTS_DDL,
                NOTIFICATIONS_SEQ_DDL,
                PIPELINES_DDL,
                PUSH_DDL,
                TELEGRAM_DDL,
            ],
            topics=TOPICS,
            wire=wire,
            routers=[
                router,
                channels_router(
                    settings.vapid_public_key,
                    settings.telegram_bot_username,
                    [h.strip() for h in settings.push_service_hosts.split(",") if h.strip()],
                ),
            ],
        ),
    )

"""Wiring of the notifications service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from contracts.topics import IDENTITY, ORDERS, SCHEDULING
from plumbing.consumer import Consumer
from plumbing.dead_letters import DEAD_LETTER_REPLAY_DDL
from plumbing.inbox import INBOX_DDL
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.notifications.adapters import inbox_store
from services.notifications.adapters.crew_load import SchedulingCrewLoad
from services.notifications.adapters.customer_sms_store import CUSTOMER_SMS_DDL, SMS
from services.notifications.adapters.email_channel import EmailChannel
from services.notifications.adapters.facts_store import FACTS_DDL, PIPELINES_DDL
from services.notifications.adapters.inbox_store import NOTIFICATIONS_DDL, NOTIFICATIONS_SEQ_DDL
from services.notifications.adapters.outbox_store import DELIVERIES_DDL
from services.notifications.adapters.push_store import PUSH_DDL
from services.notifications.adapters.sms_folder import SmsFolder
from services.notifications.adapters.smsru import SmsRuChannel
from services.notifications.adapters.telegram_store import TELEGRAM_DDL
from services.notifications.application.apply import Notifier
from services.notifications.application.channels import Channel
from services.notifications.application.crew_load import CrewLoad
from services.notifications.application.customer_sms import CustomerConfirmations
from services.notifications.application.delivery import Deliverer
from services.notifications.application.notices import (
    INAPP,
    AddressBook,
    EmailAddresses,
    Notices,
)
from services.notifications.application.reminders import ReminderSender
from services.notifications.application.summary import SummarySender
from services.notifications.channel_wiring import ChannelSettings, push_and_telegram
from services.notifications.entrypoints.channels_http import channels_router
from services.notifications.entrypoints.http import router

TOPICS = [IDENTITY, ORDERS, SCHEDULING]
MIGRATIONS = [
    INBOX_DDL,
    NOTIFICATIONS_DDL,
    FACTS_DDL,
    NOTIFICATIONS_SEQ_DDL,
    PIPELINES_DDL,
    PUSH_DDL,
    TELEGRAM_DDL,
    DELIVERIES_DDL,
    CUSTOMER_SMS_DDL,
    DEAD_LETTER_REPLAY_DDL,
]
log = logging.getLogger(__name__)


class Settings(ServiceSettings, ChannelSettings):
    service_name: str = "notifications"
    company_timezone: str = "Europe/Moscow"
    reminder_hour: int = 8
    summary_hour: int = 8
    # E-mail: no host, no e-mail channel. Production: STARTTLS and a login (README).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_sender: str = "OMS <noreply@oms.example>"
    # The morning summary asks scheduling for tomorrow's crew load (GET /crew/load).
    scheduling_url: str = "http://127.0.0.1:8082"
    # Customer confirmations (issue 20): an SMS to the customer the day before a visit, when
    # the order records their consent. A company-wide choice, off by default. It is a setting
    # of the deployment, not a table, for the same reason as company_timezone beside it: one
    # deployment serves one company, and turning it on needs an SMS account configured here
    # anyway (a switch in the web app could not make it work without one).
    customer_sms: bool = False
    company_name: str = ""  # signs the SMS, with the phone, when set
    company_phone: str = ""
    # "smsru" (SMS.ru's HTTP API), "folder" (text files in sms_folder: `make run`), or none.
    sms_provider: str = ""
    smsru_api_id: str = ""
    smsru_api_base: str = "https://sms.ru"
    smsru_sender: str = ""  # an agreed sender name; empty: the account's default
    sms_folder: str = ""
    # People's inboxes keep a read notice this long and any notice at most that long
    # (inbox_store.prune, hourly): without it the table grows with every order, for ever.
    notices_read_keep_days: float = 90
    notices_keep_days: float = 365


async def prune_forever(pool: asyncpg.Pool, settings: Settings, every_s: float = 3600) -> None:
    """The inboxes' retention, hourly; a database away is tried again at the next round."""
    read_keep = timedelta(days=settings.notices_read_keep_days)
    keep = timedelta(days=settings.notices_keep_days)
    while True:
        try:
            pruned = await inbox_store.prune(pool, read_keep, keep)
            if pruned:
                log.info("pruned %d notices past their retention", pruned)
        except (asyncpg.PostgresError, OSError):
            log.warning("could not prune old notices now; trying again later")
        await asyncio.sleep(every_s)


def email_channel(settings: Settings) -> EmailChannel | None:
    if not settings.smtp_host:
        return None
    return EmailChannel(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        starttls=settings.smtp_starttls,
    )


def sms_channel(settings: Settings) -> Channel | None:
    if settings.sms_provider == "smsru" and settings.smsru_api_id:
        return SmsRuChannel(
            settings.smsru_api_id, settings.smsru_api_base, sender=settings.smsru_sender
        )
    if settings.sms_provider == "folder" and settings.sms_folder:
        return SmsFolder(Path(settings.sms_folder))
    return None


def build(
    settings: Settings,
    channels: Mapping[str, Channel] | None = None,
    addresses: Mapping[str, AddressBook] | None = None,
    crew_load: CrewLoad | None = None,
) -> FastAPI:
    """`channels`: delivery channels besides the inbox, by name, with `addresses`: where each
    reaches a person (tests plug theirs in here). E-mail comes from the SMTP settings, Web Push
    and Telegram from theirs (channel_wiring.py); a channel given here wins over the settings'.
    `crew_load`: the summary's source of tomorrow's load; scheduling over HTTP when None."""

    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        registry: dict[str, Channel] = dict(channels or {})
        # SMS reaches customers, not users: no address book, no preferences, only the outbox.
        sms = registry.pop(SMS, None) or sms_channel(settings)
        if settings.customer_sms and sms is None:
            log.warning("customer_sms is on but no SMS provider is configured: no SMS is sent")
        books: dict[str, AddressBook] = dict(addresses or {})
        configured, configured_books, channel_jobs = push_and_telegram(settings, pool)
        email = email_channel(settings)
        if email is not None:
            configured["email"] = email
            configured_books["email"] = EmailAddresses()
        for name, channel in configured.items():
            registry.setdefault(name, channel)
            books.setdefault(name, configured_books[name])
        for name in [n for n in registry if n not in books]:
            log.warning("channel %s has no address book: nobody can be reached on it", name)
            del registry[name]
        app.state.channel_names = [INAPP, *registry]
        notices = Notices({n: books[n] for n in registry}, settings.company_timezone)
        customers = CustomerConfirmations(
            settings.customer_sms and sms is not None,
            settings.company_timezone,
            settings.company_name,
            settings.company_phone,
        )
        async with pool.acquire() as conn, conn.transaction():
            caught_up = await customers.catch_up(conn)
        if caught_up:
            log.info("customer SMS: looked at %d upcoming visits booked before", caught_up)
        notifier = Notifier(
            settings.company_timezone, settings.reminder_hour, notices=notices, customers=customers
        )
        reminders = ReminderSender(pool, settings.company_timezone, notices=notices)
        load = crew_load or SchedulingCrewLoad(
            settings.scheduling_url, settings.internal_signing_key
        )
        summary = SummarySender(
            pool, notices, load, settings.company_timezone, settings.summary_hour
        )
        outboxes = {**registry, SMS: sms} if sms is not None else registry
        deliverer = Deliverer(pool, outboxes, settings.site_url)

        async def prune() -> None:
            await prune_forever(pool, settings)

        return [
            Consumer("notifications", TOPICS, pool, settings, notifier).run,
            reminders.run,
            summary.run,
            *deliverer.jobs(),
            *channel_jobs,
            prune,
        ]

    return build_service(
        settings,
        ServiceSpec(
            migrations=MIGRATIONS,
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

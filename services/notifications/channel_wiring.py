"""Constructors of the Web Push and Telegram channels, for the outbox's `channels` dict.

    channels, jobs = push_and_telegram(settings, pool)
    # channels: {"webpush": WebPushChannel, "telegram": TelegramChannel}, each only when
    # configured; jobs: the Telegram getUpdates long poll (links chats by one-time code).

Addresses the outbox gives them: a push subscription's id (push_store.of_user) and a
Telegram chat id (telegram_store.chat_of).
"""

from __future__ import annotations

import uuid

import asyncpg
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.api.push import PUSH_SERVICE_HOSTS
from plumbing.db import Conn
from plumbing.service import Job
from services.notifications.adapters import push_store, telegram_store
from services.notifications.adapters.telegram import (
    API_BASE,
    BotApi,
    TelegramChannel,
    TelegramLinker,
)
from services.notifications.adapters.webpush import WebPushChannel
from services.notifications.application.channels import Channel
from services.notifications.application.notices import AddressBook


class ChannelSettings(BaseSettings):
    # As ServiceSettings: the service's environment holds every other service's settings too.
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    # RFC 8292 keys, URL-safe base64 (the private scalar, the uncompressed public point);
    # `make run` generates a pair into the data folder's secrets.json. Empty: no Web Push.
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    vapid_subject: str = "mailto:admin@localhost.localdomain"
    # The push services browsers use (Chrome/Edge/Opera, Firefox, Safari, Windows): the
    # server posts to a subscription's endpoint, so only these hosts (or their subdomains)
    # are taken, never an address inside the network. Comma-separated.
    push_service_hosts: str = ",".join(PUSH_SERVICE_HOSTS)
    # From @BotFather. Empty: no Telegram channel and no getUpdates job.
    telegram_bot_token: str = ""
    telegram_bot_username: str = ""
    telegram_api_base: str = API_BASE
    # Where the links in pushes and messages point (the gateway's public address).
    site_url: str = "http://localhost:8080"


class PushAddresses:
    """A person's devices: one address (the subscription's id) per subscribed browser."""

    async def addresses(self, conn: Conn, user_id: uuid.UUID) -> list[str]:
        return [str(s.id) for s in await push_store.of_user(conn, user_id)]


class TelegramAddresses:
    """The chat a person linked with a one-time code, if any."""

    async def addresses(self, conn: Conn, user_id: uuid.UUID) -> list[str]:
        chat = await telegram_store.chat_of(conn, user_id)
        return [str(chat)] if chat is not None else []


def push_and_telegram(
    settings: ChannelSettings, pool: asyncpg.Pool
) -> tuple[dict[str, Channel], dict[str, AddressBook], list[Job]]:
    """The channels the settings configure, their address books, and their jobs (Telegram's
    poller linking chats by their codes)."""
    channels: dict[str, Channel] = {}
    books: dict[str, AddressBook] = {}
    jobs: list[Job] = []
    if settings.vapid_private_key:
        channels["webpush"] = WebPushChannel(
            pool, settings.vapid_private_key, settings.vapid_subject, settings.site_url
        )
        books["webpush"] = PushAddresses()
    if settings.telegram_bot_token:
        bot = BotApi(settings.telegram_bot_token, settings.telegram_api_base)
        channels["telegram"] = TelegramChannel(pool, bot, settings.site_url)
        books["telegram"] = TelegramAddresses()
        jobs.append(TelegramLinker(pool, bot).run)
    return channels, books, jobs

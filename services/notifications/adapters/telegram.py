"""The Telegram channel and the bot's linking of chats (Bot API over HTTPS, with httpx).

The Bot API is a handful of JSON calls; a bot framework (aiogram, python-telegram-bot) would
bring its own event loop, dispatcher and retry policy, while the outbox already owns retries:
two calls (sendMessage, getUpdates) do not justify one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from plumbing.db import lock_key
from services.notifications.adapters import telegram_store
from services.notifications.application.channels import (
    Failed,
    Gone,
    Outcome,
    Outgoing,
    Retry,
    Sent,
)
from services.notifications.domain.channel_payloads import absolute, telegram_send_message

log = logging.getLogger(__name__)
API_BASE = "https://api.telegram.org"
POLL_TIMEOUT_S = 30  # getUpdates long poll: the server answers at once when a message comes

LINKED = {
    "ru": "Готово: уведомления о заказах будут приходить сюда.",
    "en": "Done: order notifications will come here.",
}
BAD_CODE = {
    "ru": "Ссылка недействительна или устарела. Получите новую в приложении.",
    "en": "This link is invalid or has expired. Get a new one in the app.",
}


class BotApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.code = int(body.get("error_code") or status)
        self.description = str(body.get("description") or "")
        self.retry_after = (body.get("parameters") or {}).get("retry_after")
        super().__init__(f"Bot API {self.code}: {self.description}")


class BotApi:
    """The two Bot API methods the channel uses. `api_base` points elsewhere in tests (the
    fake Bot API) and for a self-hosted Bot API server."""

    def __init__(
        self, token: str, api_base: str = API_BASE, client: httpx.AsyncClient | None = None
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/bot{token}"
        self._client = client or httpx.AsyncClient(timeout=POLL_TIMEOUT_S + 15)

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        reply = await self._client.post(f"{self._url}/{method}", json=payload)
        try:
            body = reply.json()
        except ValueError:
            body = {"ok": False, "error_code": reply.status_code, "description": reply.text[:200]}
        if reply.status_code == 200 and body.get("ok"):
            return body["result"]
        raise BotApiError(reply.status_code, body)

    async def aclose(self) -> None:
        await self._client.aclose()


Language = Callable[[uuid.UUID], Awaitable[str]]


async def russian(_user: uuid.UUID) -> str:
    return "ru"


class TelegramChannel:
    name = "telegram"

    def __init__(
        self, pool: asyncpg.Pool, bot: BotApi, site_url: str, language: Language = russian
    ) -> None:
        self._pool = pool
        self._bot = bot
        self._site_url = site_url
        self._language = language

    async def send(self, message: Outgoing) -> Outcome:
        try:
            chat_id = int(message.address)
        except ValueError:
            return Failed(f"not a Telegram chat id: {message.address!r}")
        async with self._pool.acquire() as conn:
            owner = await telegram_store.owner_of(conn, chat_id)
        if message.user_id is None or owner != message.user_id:
            # Unlinked, or linked by someone else since this was queued: not theirs to read.
            return Gone("the Telegram chat is no longer linked to this person")
        request = telegram_send_message(
            str(chat_id),
            message.title,
            message.body,
            absolute(self._site_url, message.url),
            await self._language(message.user_id),
        )
        try:
            await self._bot.call("sendMessage", request)
        except httpx.HTTPError as failure:
            return Retry(f"Bot API unreachable: {type(failure).__name__}")
        except BotApiError as refused:
            return await self._outcome(refused, chat_id)
        return Sent()

    async def _outcome(self, refused: BotApiError, chat_id: int) -> Outcome:
        gone = refused.code == 403 or (
            refused.code == 400 and "chat not found" in refused.description.lower()
        )
        if gone:  # the person blocked the bot or deleted the chat: unlink it
            async with self._pool.acquire() as conn:
                await telegram_store.unlink_chat(conn, chat_id)
            return Gone(str(refused))
        if refused.code == 429:
            after = refused.retry_after
            return Retry(str(refused), float(after) if isinstance(after, int | float) else None)
        if refused.code >= 500:
            return Retry(str(refused))
        return Failed(str(refused))


def start_code(update: dict[str, Any]) -> tuple[int, str] | None:
    """(chat id, code) of a private `/start <code>` message (a t.me deep link sends it)."""
    message = update.get("message") or {}
    chat = message.get("chat") or {}
    text = message.get("text")
    if chat.get("type") != "private" or not isinstance(text, str):
        return None
    command, _, code = text.strip().partition(" ")
    if command.split("@")[0] != "/start" or not code.strip():
        return None
    chat_id = chat.get("id")
    return (chat_id, code.strip()) if isinstance(chat_id, int) else None


class TelegramLinker:
    """The job that long-polls getUpdates and links chats by their `/start <code>`.

    The offset of the next update is kept in the database with each batch's work, so a
    restart neither re-links with a used code nor skips a message."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        bot: BotApi,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_timeout_s: int = POLL_TIMEOUT_S,
    ) -> None:
        self._pool = pool
        self._bot = bot
        self._clock = clock
        self._poll_timeout_s = poll_timeout_s

    async def poll_once(self) -> int:
        """One getUpdates round; how many updates it handled."""
        async with self._pool.acquire() as conn:
            offset = await telegram_store.next_update(conn)
        updates = await self._bot.call(
            "getUpdates",
            {"offset": offset, "timeout": self._poll_timeout_s, "allowed_updates": ["message"]},
        )
        for update in updates:
            await self._handle(update)
        return len(updates)

    async def _handle(self, update: dict[str, Any]) -> None:
        found = start_code(update)
        reply: tuple[int, str] | None = None
        async with self._pool.acquire() as conn, conn.transaction():
            if found is not None:
                chat_id, code = found
                linked = await telegram_store.redeem(conn, code, chat_id, self._clock())
                reply = (chat_id, LINKED["ru"] if linked else BAD_CODE["ru"])
            await telegram_store.save_next_update(conn, int(update["update_id"]) + 1)
        if reply is not None:
            try:
                await self._bot.call("sendMessage", {"chat_id": reply[0], "text": reply[1]})
            except (httpx.HTTPError, BotApiError) as failure:  # a courtesy reply only
                log.warning("telegram: could not confirm linking: %s", failure)

    async def run(self) -> None:
        """Poll while holding the poller's lock: Telegram allows one getUpdates at a time per
        bot (a second gets 409 Conflict), and the service runs in several replicas."""
        while True:
            try:
                async with self._pool.acquire() as lock:
                    key = lock_key("telegram:getUpdates")
                    while not await lock.fetchval("SELECT pg_try_advisory_lock($1)", key):  # noqa: ASYNC110
                        await asyncio.sleep(5)
                    try:
                        while True:
                            await lock.execute("SELECT 1")  # still holding it: still alive
                            await self._poll_or_wait()
                    finally:
                        await lock.execute("SELECT pg_advisory_unlock($1)", key)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away mid-round: start over, as the relay does
                log.exception("telegram poller failed; restarting")
                await asyncio.sleep(5)

    async def _poll_or_wait(self) -> None:
        try:
            await self.poll_once()
        except (httpx.HTTPError, BotApiError) as failure:
            after = getattr(failure, "retry_after", None)
            log.warning("telegram getUpdates failed: %s", failure)
            await asyncio.sleep(float(after) if isinstance(after, int | float) else 5.0)

"""The Telegram channel and chat linking against the fake Bot API over a real socket
(tests/fake_telegram.py checks each request against the shapes in tests/fixtures/telegram/)
and real PostgreSQL: a one-time code links a chat once, within ten minutes; a message goes
out with a button to the order; a blocked bot unlinks the chat; flood control retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from plumbing import db
from services.notifications.adapters import telegram_store
from services.notifications.adapters.telegram import (
    BAD_CODE,
    LINKED,
    BotApi,
    TelegramChannel,
    TelegramLinker,
)
from services.notifications.adapters.telegram_store import TELEGRAM_DDL
from services.notifications.application.channels import Failed, Gone, Outgoing, Retry, Sent
from tests.fake_telegram import FakeBotApi

SITE = "https://oms.example.ru"
ME = uuid.uuid4()
CHAT = 123456789


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, [TELEGRAM_DDL])
    return p


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi().running() as running:
        yield running
    assert running.violations == []  # every request had the documented shape


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[BotApi]:
    made = BotApi(fake.token, fake.api_base)
    yield made
    await made.aclose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def linker(pool: asyncpg.Pool, bot: BotApi, clock: Clock) -> TelegramLinker:
    return TelegramLinker(pool, bot, clock, poll_timeout_s=1)


async def code_for(pool: asyncpg.Pool, user: uuid.UUID, clock: Clock) -> str:
    async with pool.acquire() as conn:
        return (await telegram_store.new_code(conn, user, clock())).code


async def chat_of(pool: asyncpg.Pool, user: uuid.UUID) -> int | None:
    async with pool.acquire() as conn:
        return await telegram_store.chat_of(conn, user)


async def link(pool: asyncpg.Pool, user: uuid.UUID, chat: int, clock: Clock) -> None:
    async with pool.acquire() as conn:
        code = (await telegram_store.new_code(conn, user, clock())).code
        assert await telegram_store.redeem(conn, code, chat, clock()) == user


def message(chat: int | str) -> Outgoing:
    return Outgoing(
        message_id=f"visit-moved:{uuid.uuid4()}:telegram",
        user_id=ME,
        address=str(chat),
        title="Замер перенесён на 12.03 10:00",
        body="Заказ №42",
        url="/orders/42",
        urgent=True,
    )


async def test_start_with_a_fresh_code_links_the_chat_and_says_so(
    pool: asyncpg.Pool, fake: FakeBotApi, linker: TelegramLinker, clock: Clock
) -> None:
    code = await code_for(pool, ME, clock)
    fake.user_writes(CHAT, f"/start {code}")
    assert await linker.poll_once() == 1
    assert await chat_of(pool, ME) == CHAT
    assert fake.sent == [{"chat_id": CHAT, "text": LINKED["ru"]}]


async def test_a_code_works_once(
    pool: asyncpg.Pool, fake: FakeBotApi, linker: TelegramLinker, clock: Clock
) -> None:
    code = await code_for(pool, ME, clock)
    fake.user_writes(CHAT, f"/start {code}")
    fake.user_writes(555, f"/start {code}")  # someone it was forwarded to
    assert await linker.poll_once() == 2
    assert await chat_of(pool, ME) == CHAT
    assert [m["text"] for m in fake.sent] == [LINKED["ru"], BAD_CODE["ru"]]


async def test_a_code_expires_after_ten_minutes(
    pool: asyncpg.Pool, fake: FakeBotApi, linker: TelegramLinker, clock: Clock
) -> None:
    code = await code_for(pool, ME, clock)
    clock.now += timedelta(minutes=10, seconds=1)
    fake.user_writes(CHAT, f"/start {code}")
    await linker.poll_once()
    assert await chat_of(pool, ME) is None
    assert [m["text"] for m in fake.sent] == [BAD_CODE["ru"]]


async def test_codes_are_stored_hashed(pool: asyncpg.Pool, clock: Clock) -> None:
    code = await code_for(pool, ME, clock)
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM telegram_link_codes")
    assert len(rows) == 1
    assert code not in str(dict(rows[0]))


async def test_start_without_a_code_or_in_a_group_links_nothing(
    pool: asyncpg.Pool, fake: FakeBotApi, linker: TelegramLinker, clock: Clock
) -> None:
    code = await code_for(pool, ME, clock)
    fake.user_writes(CHAT, "/start")
    fake.user_writes(-100200300, f"/start {code}", chat_type="group")
    fake.user_writes(CHAT, "привет")
    assert await linker.poll_once() == 3
    assert await chat_of(pool, ME) is None
    assert fake.sent == []
    # The code is still good for the person's own private chat.
    fake.user_writes(CHAT, f"/start {code}")
    await linker.poll_once()
    assert await chat_of(pool, ME) == CHAT


async def test_a_restarted_poller_does_not_handle_an_update_twice(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, clock: Clock
) -> None:
    code = await code_for(pool, ME, clock)
    fake.user_writes(CHAT, f"/start {code}")
    assert await TelegramLinker(pool, bot, clock, poll_timeout_s=0).poll_once() == 1
    # A new process: the offset comes from the database, so the update is confirmed.
    assert await TelegramLinker(pool, bot, clock, poll_timeout_s=0).poll_once() == 0
    offsets = [body["offset"] for method, body in fake.requests if method == "getUpdates"]
    assert offsets[0] == 0
    assert offsets[1] > 0
    assert len(fake.sent) == 1


async def test_a_message_goes_out_with_a_button_to_the_order(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, clock: Clock
) -> None:
    await link(pool, ME, CHAT, clock)
    channel = TelegramChannel(pool, bot, SITE)
    assert await channel.send(message(CHAT)) == Sent()
    assert fake.sent == [
        {
            "chat_id": CHAT,
            "text": "Замер перенесён на 12.03 10:00\nЗаказ №42",
            "link_preview_options": {"is_disabled": True},
            "reply_markup": {
                "inline_keyboard": [[{"text": "Открыть", "url": f"{SITE}/orders/42"}]]
            },
        }
    ]


async def test_the_button_speaks_english_to_an_english_speaker(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, clock: Clock
) -> None:
    await link(pool, ME, CHAT, clock)

    async def english(_user: uuid.UUID) -> str:
        return "en"

    channel = TelegramChannel(pool, bot, SITE, english)
    assert await channel.send(message(CHAT)) == Sent()
    assert fake.sent[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Open"


async def test_a_blocked_bot_is_gone_and_unlinks_the_chat(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, linker: TelegramLinker, clock: Clock
) -> None:
    fake.user_writes(CHAT, f"/start {await code_for(pool, ME, clock)}")
    await linker.poll_once()
    fake.blocked.add(CHAT)
    outcome = await TelegramChannel(pool, bot, SITE).send(message(CHAT))
    assert outcome == Gone("Bot API 403: Forbidden: bot was blocked by the user")
    assert await chat_of(pool, ME) is None


async def test_flood_control_is_a_retry_after_its_seconds(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, clock: Clock
) -> None:
    await link(pool, ME, CHAT, clock)
    channel = TelegramChannel(pool, bot, SITE)
    fake.flood.append(35)
    sent = message(CHAT)
    outcome = await channel.send(sent)
    assert isinstance(outcome, Retry)
    assert outcome.after_s == 35.0
    assert await channel.send(sent) == Sent()
    assert len(fake.sent) == 1


async def test_a_wrong_token_or_address_is_failed_not_retried(
    pool: asyncpg.Pool, fake: FakeBotApi, clock: Clock
) -> None:
    await link(pool, ME, CHAT, clock)
    wrong = BotApi("999:wrong", fake.api_base)
    try:
        assert isinstance(await TelegramChannel(pool, wrong, SITE).send(message(CHAT)), Failed)
        assert isinstance(await TelegramChannel(pool, wrong, SITE).send(message("@x")), Failed)
    finally:
        await wrong.aclose()
    assert fake.sent == []


async def test_a_chat_no_longer_the_addressees_gets_nothing(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, clock: Clock
) -> None:
    """Queued for ME, but the chat was since linked by someone else (or unlinked): the
    message must not reach whoever holds the chat now."""
    channel = TelegramChannel(pool, bot, SITE)
    assert isinstance(await channel.send(message(CHAT)), Gone)  # never linked
    someone = uuid.uuid4()
    await link(pool, someone, CHAT, clock)
    assert isinstance(await channel.send(message(CHAT)), Gone)
    assert fake.sent == []
    assert await chat_of(pool, someone) == CHAT  # their link stays


async def test_the_polling_job_links_chats_and_only_one_replica_polls(
    pool: asyncpg.Pool, fake: FakeBotApi, bot: BotApi, clock: Clock
) -> None:
    first = asyncio.create_task(TelegramLinker(pool, bot, clock, poll_timeout_s=1).run())
    second = asyncio.create_task(TelegramLinker(pool, bot, clock, poll_timeout_s=1).run())
    try:
        fake.user_writes(CHAT, f"/start {await code_for(pool, ME, clock)}")
        for _ in range(100):
            if await chat_of(pool, ME) == CHAT:
                break
            await asyncio.sleep(0.05)
        assert await chat_of(pool, ME) == CHAT
        await asyncio.sleep(1.5)  # a round or two more of long polls
    finally:
        for task in (first, second):
            task.cancel()
        await asyncio.gather(first, second, return_exceptions=True)
    polls = [body for method, body in fake.requests if method == "getUpdates"]
    assert len(polls) >= 2
    assert fake.conflicts == 0  # never a second poll while one was held (409 Conflict)
    assert len(fake.sent) == 1

"""People's inboxes have a retention (issue 19: tables that should not grow do not), against
real PostgreSQL: a read notice goes after its time, an unread one only after the longer one,
one still waiting to go out on a channel stays, and the feed a stream resumes from is not
disturbed by what was pruned."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from plumbing import db
from services.notifications.adapters import inbox_store, outbox_store
from services.notifications.adapters.facts_store import FACTS_DDL
from services.notifications.adapters.inbox_store import NOTIFICATIONS_DDL, NOTIFICATIONS_SEQ_DDL
from services.notifications.adapters.outbox_store import DELIVERIES_DDL
from services.notifications.domain.messages import Message

ME = uuid.uuid4()
READ_KEEP, KEEP = timedelta(days=90), timedelta(days=365)


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(
        p, schema, [NOTIFICATIONS_DDL, FACTS_DDL, NOTIFICATIONS_SEQ_DDL, DELIVERIES_DDL]
    )
    return p


async def notice(pool: asyncpg.Pool, text: str, age: timedelta, read: bool) -> uuid.UUID:
    async with pool.acquire() as conn, conn.transaction():
        made = await inbox_store.notify(conn, ME, None, uuid.uuid4(), Message(ru=text, en=text))
    assert made is not None
    await pool.execute(
        "UPDATE notifications SET created_at = now() - $2::interval, "
        "read_at = CASE WHEN $3 THEN now() - $2::interval END WHERE id = $1",
        made,
        age,
        read,
    )
    return made


async def texts(pool: asyncpg.Pool) -> set[str]:
    return {r["text"] for r in await inbox_store.inbox(pool, ME, unread=False, lang="ru")}


async def test_notices_go_after_their_retention_unless_still_on_their_way(
    pool: asyncpg.Pool,
) -> None:
    await notice(pool, "свежее прочитанное", timedelta(days=10), read=True)
    await notice(pool, "старое прочитанное", timedelta(days=91), read=True)
    await notice(pool, "старое непрочитанное", timedelta(days=91), read=False)
    await notice(pool, "древнее непрочитанное", timedelta(days=366), read=False)
    waiting = await notice(pool, "древнее, ещё не отправлено", timedelta(days=400), read=True)
    sent = await notice(pool, "древнее, отправлено", timedelta(days=400), read=True)
    async with pool.acquire() as conn:
        for made in (waiting, sent):
            due = datetime.now(UTC)
            await outbox_store.enqueue(conn, made, ME, "email", "me@example.com", "m", due, False)
    await pool.execute("UPDATE deliveries SET state = 'sent' WHERE notice_id = $1", sent)

    assert await inbox_store.prune(pool, READ_KEEP, KEEP) == 3
    assert await texts(pool) == {
        "свежее прочитанное",
        "старое непрочитанное",
        "древнее, ещё не отправлено",
    }
    assert await inbox_store.prune(pool, READ_KEEP, KEEP) == 0  # nothing more: repeatable


async def test_a_stream_resumes_past_pruned_notices_and_gets_new_ones(
    pool: asyncpg.Pool,
) -> None:
    await notice(pool, "старое", timedelta(days=400), read=False)
    cursor = (await inbox_store.feed(pool, ME, None, "ru"))["next"]
    assert await inbox_store.prune(pool, READ_KEEP, KEEP) == 1
    await notice(pool, "новое", timedelta(0), read=False)
    page = await inbox_store.feed(pool, ME, cursor, "ru")
    assert [i["text"] for i in page["items"]] == ["новое"]

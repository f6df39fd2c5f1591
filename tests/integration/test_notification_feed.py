"""The inbox as a feed by position, against real PostgreSQL: what a realtime stream resumes
from after a reconnect (issue 11: a notification written during the gap was never pushed)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from plumbing import db
from services.notifications.adapters import inbox_store
from services.notifications.adapters.facts_store import FACTS_DDL
from services.notifications.adapters.inbox_store import NOTIFICATIONS_DDL, NOTIFICATIONS_SEQ_DDL
from services.notifications.adapters.outbox_store import DELIVERIES_DDL
from services.notifications.domain.messages import Message

ME, SOMEONE = uuid.uuid4(), uuid.uuid4()
ORDER = uuid.uuid4()


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(
        p, schema, [NOTIFICATIONS_DDL, FACTS_DDL, NOTIFICATIONS_SEQ_DDL, DELIVERIES_DDL]
    )
    return p


async def tell(pool: asyncpg.Pool, who: uuid.UUID, text: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await inbox_store.notify(conn, who, ORDER, uuid.uuid4(), Message(ru=text, en=text))


async def test_a_stream_starts_at_the_end_and_then_gets_each_new_item_once_in_order(
    pool: asyncpg.Pool,
) -> None:
    await tell(pool, ME, "старое")
    start = await inbox_store.feed(pool, ME, None, "ru")
    assert start["items"] == []  # what is already there is not news
    await tell(pool, ME, "первое")
    await tell(pool, SOMEONE, "чужое")
    await tell(pool, ME, "второе")
    page = await inbox_store.feed(pool, ME, start["next"], "ru")
    assert [i["text"] for i in page["items"]] == ["первое", "второе"]
    assert page["next"] == page["items"][-1]["seq"]
    assert (await inbox_store.feed(pool, ME, page["next"], "ru"))["items"] == []


async def test_read_items_are_not_pushed_but_the_position_moves_past_them(
    pool: asyncpg.Pool,
) -> None:
    start = (await inbox_store.feed(pool, ME, None, "ru"))["next"]
    await tell(pool, ME, "прочитано")
    read = (await inbox_store.inbox(pool, ME, unread=True, lang="ru"))[0]
    assert await inbox_store.mark_read(pool, ME, uuid.UUID(read["id"]))
    page = await inbox_store.feed(pool, ME, start, "ru")
    assert page["items"] == []
    assert page["next"] == read["seq"]


async def test_a_full_page_continues_from_its_last_item(pool: asyncpg.Pool) -> None:
    for n in range(5):
        await tell(pool, ME, f"№{n}")
    first = await inbox_store.feed(pool, ME, 0, "ru", limit=3)
    rest = await inbox_store.feed(pool, ME, first["next"], "ru", limit=3)
    assert [i["text"] for i in first["items"] + rest["items"]] == [f"№{n}" for n in range(5)]


async def test_a_position_beyond_the_end_resumes_from_the_end_not_never(
    pool: asyncpg.Pool,
) -> None:
    await tell(pool, ME, "было")
    page = await inbox_store.feed(pool, ME, 2**63 - 1, "ru")
    assert page["items"] == []
    await tell(pool, ME, "стало")
    assert [i["text"] for i in (await inbox_store.feed(pool, ME, page["next"], "ru"))["items"]] == [
        "стало"
    ]


async def test_a_late_commit_is_never_skipped(pool: asyncpg.Pool) -> None:
    """Positions become visible in the order they were drawn: a writer that drew first and
    commits last holds up the next one instead of being jumped over."""
    start = (await inbox_store.feed(pool, ME, None, "ru"))["next"]
    slow_drew = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await inbox_store.notify(conn, ME, ORDER, uuid.uuid4(), Message(ru="медленно", en=""))
            slow_drew.set()
            await release.wait()

    writer = asyncio.create_task(slow())
    await slow_drew.wait()
    fast = asyncio.create_task(tell(pool, ME, "быстро"))
    await asyncio.sleep(0.3)
    assert not fast.done()  # waits for the slow one's commit
    seen = await inbox_store.feed(pool, ME, start, "ru")
    assert seen["items"] == []  # nothing committed yet, so the position does not move
    assert seen["next"] == start
    release.set()
    await asyncio.gather(writer, fast)
    page = await inbox_store.feed(pool, ME, seen["next"], "ru")
    assert [i["text"] for i in page["items"]] == ["медленно", "быстро"]


async def test_news_names_whose_inboxes_moved_after_a_position_and_where_to_go_on(
    pool: asyncpg.Pool,
) -> None:
    """The gateway's one watcher per process (issue 17): who has notices after a position,
    any user's, and the head to continue from; no content."""
    start = await inbox_store.news(pool, None)
    assert start["users"] == []  # from now: what is there is not news
    assert await inbox_store.news(pool, start["head"]) == {"head": start["head"], "users": []}
    await tell(pool, ME, "первое")
    await tell(pool, SOMEONE, "чужое")
    await tell(pool, ME, "второе")
    news = await inbox_store.news(pool, start["head"])
    assert sorted(news["users"]) == sorted([str(ME), str(SOMEONE)])
    mine = await inbox_store.feed(pool, ME, start["head"], "ru")
    assert news["head"] == max(mine["next"], news["head"])
    assert news["head"] > start["head"]
    await tell(pool, SOMEONE, "ещё")
    later = await inbox_store.news(pool, news["head"])
    assert later["users"] == [str(SOMEONE)]
    assert await inbox_store.news(pool, later["head"]) == {"head": later["head"], "users": []}

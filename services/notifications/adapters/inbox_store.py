"""People's notification inboxes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from plumbing.db import Conn
from plumbing.ordered_log import serialize_appends
from services.notifications.domain.messages import Message

NOTIFICATIONS_DDL = """
CREATE TABLE IF NOT EXISTS recipients (
    user_id  uuid PRIMARY KEY,
    username text NOT NULL,
    role     text NOT NULL,
    active   boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    order_id   uuid,
    cause_id   uuid NOT NULL,
    text_ru    text NOT NULL,
    text_en    text NOT NULL,
    read_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, cause_id)
);
CREATE INDEX IF NOT EXISTS notifications_user_idx ON notifications (user_id, created_at DESC);
"""

# A migration step of its own (steps are append-only): a position per notification, so a
# realtime stream can resume after a reconnect from exactly where it stopped (issue 11: a
# notification written during the gap was never pushed). Existing rows are numbered by the
# column's default as it is added. Positions are drawn under one lock (notify), so they
# become visible in the order they were drawn, as in plumbing.ordered_log.
NOTIFICATIONS_SEQ_DDL = """
CREATE SEQUENCE IF NOT EXISTS notifications_seq;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS seq bigint NOT NULL
    DEFAULT nextval('notifications_seq');
ALTER SEQUENCE notifications_seq OWNED BY notifications.seq;
CREATE INDEX IF NOT EXISTS notifications_user_seq_idx ON notifications (user_id, seq);
"""
FEED_LIMIT = 100
NEWS = """
WITH RECURSIVE people AS (
    (SELECT user_id FROM notifications ORDER BY user_id LIMIT 1)
    UNION ALL
    SELECT (SELECT n.user_id FROM notifications n WHERE n.user_id > p.user_id
            ORDER BY n.user_id LIMIT 1)
    FROM people p WHERE p.user_id IS NOT NULL
)
SELECT p.user_id::text AS user_id, t.top FROM people p
CROSS JOIN LATERAL (SELECT max(n.seq) AS top FROM notifications n
                    WHERE n.user_id = p.user_id AND n.seq > $1) t
WHERE p.user_id IS NOT NULL AND t.top IS NOT NULL
"""


async def upsert_recipient(conn: Conn, data: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO recipients (user_id, username, role, active, email) "
        "VALUES ($1::uuid, $2, $3, $4, $5) "
        "ON CONFLICT (user_id) DO UPDATE SET username = $2, role = $3, active = $4, email = $5",
        data["user_id"],
        data["username"],
        data["role"],
        data.get("active", True),
        data.get("email"),
    )


@dataclass(frozen=True)
class Recipient:
    role: str
    active: bool
    email: str | None


async def recipient(conn: Conn, user_id: uuid.UUID) -> Recipient | None:
    row = await conn.fetchrow(
        "SELECT role, active, email FROM recipients WHERE user_id = $1", user_id
    )
    return None if row is None else Recipient(row["role"], row["active"], row["email"])


async def users_with_role(conn: Conn, role: str) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT user_id FROM recipients WHERE role = $1 AND active", role)
    return [r["user_id"] for r in rows]


async def notify(
    conn: Conn,
    user_id: uuid.UUID,
    order_id: uuid.UUID | None,
    cause_id: uuid.UUID,
    message: Message,
    kind: str = "other",
    occurred_at: datetime | None = None,
) -> uuid.UUID | None:
    """The new notice's id; None when this person already has the notice of this cause."""
    # Positions (seq) in commit order: without the lock, transaction A could draw 10, B draw
    # 11 and commit first, and a stream that pushed 11 would resume after it, skipping 10.
    # Every caller runs inside a transaction (the consumer's, the reminder sender's), which
    # holds the lock until it commits.
    await serialize_appends(conn, "notifications.inbox")
    # One notification per person per causing event, however often the event is delivered.
    created: uuid.UUID | None = await conn.fetchval(
        "INSERT INTO notifications (id, user_id, order_id, cause_id, text_ru, text_en, kind, "
        "occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (user_id, cause_id) DO NOTHING RETURNING id",
        uuid.uuid4(),
        user_id,
        order_id,
        cause_id,
        message.ru,
        message.en,
        kind,
        occurred_at,
    )
    return created


async def open_media_group(
    conn: Conn, user_id: uuid.UUID, order_id: uuid.UUID, since: datetime
) -> asyncpg.Record | None:
    """This person's upload notice for this order opened at or after `since`, if any."""
    return await conn.fetchrow(
        "SELECT id, photos, documents FROM notifications WHERE user_id = $1 AND order_id = $2 "
        "AND kind = 'media_uploaded' AND occurred_at >= $3 ORDER BY occurred_at DESC LIMIT 1 "
        "FOR UPDATE",
        user_id,
        order_id,
        since,
    )


async def regroup(
    conn: Conn, notice_id: uuid.UUID, photos: int, documents: int, message: Message
) -> None:
    await conn.execute(
        "UPDATE notifications SET photos = $2, documents = $3, text_ru = $4, text_en = $5 "
        "WHERE id = $1",
        notice_id,
        photos,
        documents,
        message.ru,
        message.en,
    )


async def inbox(
    pool: asyncpg.Pool, user_id: uuid.UUID, unread: bool, lang: str
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT id::text, seq, order_id::text, text_ru, text_en, read_at, created_at "
        "FROM notifications "
        "WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL) ORDER BY created_at DESC LIMIT 200",
        user_id,
        unread,
    )
    return [_item(r, lang) for r in rows]


def _item(r: asyncpg.Record, lang: str) -> dict[str, Any]:
    return {
        "id": r["id"],
        "seq": r["seq"],
        "order_id": r["order_id"],
        "text": r["text_en"] if lang == "en" else r["text_ru"],
        "read": r["read_at"] is not None,
        "created_at": r["created_at"],
    }


async def feed(
    pool: asyncpg.Pool, user_id: uuid.UUID, after: int | None, lang: str, limit: int = FEED_LIMIT
) -> dict[str, Any]:
    """The caller's unread notifications after position `after`, oldest first, and `next`:
    where to continue from. Without `after`: nothing, and `next` is the current end (a
    stream starts from now). An `after` beyond the end (the inbox was rebuilt shorter) is
    taken as the end, so the stream is not stuck waiting for positions that never come."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        # One snapshot for the end and the page: a row committed in between would otherwise
        # be counted in `next` but missing from the page, and skipped for good.
        head = int(
            await conn.fetchval(
                "SELECT coalesce(max(seq), 0) FROM notifications WHERE user_id = $1", user_id
            )
        )
        start = head if after is None else min(after, head)
        rows = await conn.fetch(
            "SELECT id::text, seq, order_id::text, text_ru, text_en, read_at, created_at "
            "FROM notifications WHERE user_id = $1 AND seq > $2 AND read_at IS NULL "
            "ORDER BY seq LIMIT $3",
            user_id,
            start,
            limit,
        )
    items = [_item(r, lang) for r in rows]
    # A full page may have more after it: continue from its last item, not from the end.
    following = int(rows[-1]["seq"]) if len(rows) == limit else head
    return {"items": items, "next": following}


async def news(pool: asyncpg.Pool, after: int | None) -> dict[str, Any]:
    """Whose inboxes have notifications after position `after` (any user's), and `head`:
    the last position seen, where the next ask continues. For the gateway's one watcher per
    process, which wakes only the live streams of those users instead of every stream
    polling its own feed. Without `after`: only `head` (a watcher starts from now).

    A few index probes per user with notifications, on (user_id, seq): the users are
    walked through the index (a loose index scan), not the table read. Positions become
    visible in the order they are drawn (notify, under one lock), so the highest one seen is
    a safe place to continue from: nothing below it can still appear."""
    rows = await pool.fetch(NEWS, after or 0)
    head = max((int(r["top"]) for r in rows), default=after or 0)
    users = [] if after is None else sorted(r["user_id"] for r in rows)
    return {"head": head, "users": users}


async def mark_read(pool: asyncpg.Pool, user_id: uuid.UUID, notification_id: uuid.UUID) -> bool:
    done = await pool.fetchval(
        "UPDATE notifications SET read_at = coalesce(read_at, now()) "
        "WHERE id = $1 AND user_id = $2 RETURNING true",
        notification_id,
        user_id,
    )
    return bool(done)


async def hold(
    conn: Conn,
    notice_id: uuid.UUID,
    personal: bool,
    starts_at: datetime | None,
    timezone: str | None,
) -> None:
    """Keep what routing the notice later needs, until its person is known."""
    await conn.execute(
        "UPDATE notifications SET routed = false, personal = $2, starts_at = $3, timezone = $4 "
        "WHERE id = $1",
        notice_id,
        personal,
        starts_at,
        timezone,
    )


async def take_held(conn: Conn, user_id: uuid.UUID, since: datetime) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "UPDATE notifications SET routed = true WHERE user_id = $1 AND NOT routed "
            "AND coalesce(occurred_at, created_at) >= $2 RETURNING id, order_id, cause_id, kind, "
            "text_ru, text_en, personal, starts_at, timezone",
            user_id,
            since,
        )
    )


async def prune(pool: asyncpg.Pool, read_keep: timedelta, unread_keep: timedelta) -> int:
    """Forget notices past their retention: read ones after `read_keep`, any after
    `unread_keep` (someone who has not looked in that long will not). A notice still waiting
    to go out on a channel stays until it has gone. Repeats of the cause cannot bring one
    back: its event stays in the consumer's inbox (plumbing/inbox.py), which is kept."""
    status = await pool.execute(
        "DELETE FROM notifications n "
        "WHERE ((n.read_at IS NOT NULL AND n.created_at < now() - $1::interval) "
        "OR n.created_at < now() - $2::interval) "
        "AND NOT EXISTS (SELECT 1 FROM deliveries d "
        "WHERE d.notice_id = n.id AND d.state = 'pending')",
        read_keep,
        unread_keep,
    )
    return int(status.split()[-1])

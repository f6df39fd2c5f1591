"""People's notification inboxes."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from plumbing.db import Conn
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


async def upsert_recipient(conn: Conn, data: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO recipients (user_id, username, role, active) VALUES ($1::uuid, $2, $3, $4) "
        "ON CONFLICT (user_id) DO UPDATE SET username = $2, role = $3, active = $4",
        data["user_id"],
        data["username"],
        data["role"],
        data.get("active", True),
    )


async def users_with_role(conn: Conn, role: str) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT user_id FROM recipients WHERE role = $1 AND active", role)
    return [r["user_id"] for r in rows]


async def notify(
    conn: Conn,
    user_id: uuid.UUID,
    order_id: uuid.UUID | None,
    cause_id: uuid.UUID,
    message: Message,
) -> None:
    # One notification per person per causing event, however often the event is delivered.
    await conn.execute(
        "INSERT INTO notifications (id, user_id, order_id, cause_id, text_ru, text_en) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, cause_id) DO NOTHING",
        uuid.uuid4(),
        user_id,
        order_id,
        cause_id,
        message.ru,
        message.en,
    )


async def inbox(
    pool: asyncpg.Pool, user_id: uuid.UUID, unread: bool, lang: str
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT id::text, order_id::text, text_ru, text_en, read_at, created_at FROM notifications "
        "WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL) ORDER BY created_at DESC LIMIT 200",
        user_id,
        unread,
    )
    return [
        {
            "id": r["id"],
            "order_id": r["order_id"],
            "text": r["text_en"] if lang == "en" else r["text_ru"],
            "read": r["read_at"] is not None,
            "created_at": r["created_at"],
        }
        for r in rows
    ]


async def mark_read(pool: asyncpg.Pool, user_id: uuid.UUID, notification_id: uuid.UUID) -> bool:
    done = await pool.fetchval(
        "UPDATE notifications SET read_at = coalesce(read_at, now()) "
        "WHERE id = $1 AND user_id = $2 RETURNING true",
        notification_id,
        user_id,
    )
    return bool(done)

"""Telegram chats linked to people, and the one-time codes that link them.

A code is shown to the signed-in person (in a t.me deep link); whoever sends `/start <code>`
to the bot within ten minutes links their chat to that person, once. Only the code's SHA-256
is stored: the table alone cannot be used to link a stranger's chat. The code carries 128
random bits, so a plain hash (no salt, no slow KDF) is enough to make it unguessable.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from plumbing.db import Conn

TELEGRAM_DDL = """
CREATE TABLE IF NOT EXISTS telegram_link_codes (
    code_hash  text PRIMARY KEY,
    user_id    uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE TABLE IF NOT EXISTS telegram_chats (
    user_id   uuid PRIMARY KEY,
    chat_id   bigint NOT NULL UNIQUE,
    linked_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS telegram_poll (
    id          int PRIMARY KEY CHECK (id = 1),
    next_update bigint NOT NULL
);
"""
CODE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class LinkCode:
    code: str
    expires_at: datetime


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def new_code(conn: Conn, user_id: uuid.UUID, now: datetime) -> LinkCode:
    # URL-safe, ≤ 64 characters of [A-Za-z0-9_-]: what a deep link's start parameter allows.
    code = secrets.token_urlsafe(16)
    expires_at = now + CODE_LIFETIME
    # Stale codes go as new ones are made: the table stays as small as the open invitations.
    await conn.execute("DELETE FROM telegram_link_codes WHERE expires_at < $1", now)
    await conn.execute(
        "INSERT INTO telegram_link_codes (code_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        code_hash(code),
        user_id,
        expires_at,
    )
    return LinkCode(code, expires_at)


async def redeem(conn: Conn, code: str, chat_id: int, now: datetime) -> uuid.UUID | None:
    """Link `chat_id` to the code's person if the code is unused and unexpired; the person.

    One chat per person and one person per chat: linking again moves the link."""
    user_id = await conn.fetchval(
        "UPDATE telegram_link_codes SET used_at = $2 "
        "WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
        code_hash(code),
        now,
    )
    if user_id is None:
        return None
    await conn.execute(
        "DELETE FROM telegram_chats WHERE chat_id = $1 OR user_id = $2", chat_id, user_id
    )
    await conn.execute(
        "INSERT INTO telegram_chats (user_id, chat_id, linked_at) VALUES ($1, $2, $3)",
        user_id,
        chat_id,
        now,
    )
    return uuid.UUID(str(user_id))


async def chat_of(conn: Conn, user_id: uuid.UUID) -> int | None:
    """The address the outbox sends a person's Telegram messages to."""
    chat = await conn.fetchval("SELECT chat_id FROM telegram_chats WHERE user_id = $1", user_id)
    return None if chat is None else int(chat)


async def owner_of(conn: Conn, chat_id: int) -> uuid.UUID | None:
    owner = await conn.fetchval("SELECT user_id FROM telegram_chats WHERE chat_id = $1", chat_id)
    return None if owner is None else uuid.UUID(str(owner))


async def unlink_chat(conn: Conn, chat_id: int) -> None:
    await conn.execute("DELETE FROM telegram_chats WHERE chat_id = $1", chat_id)


async def next_update(conn: Conn) -> int:
    offset = await conn.fetchval("SELECT next_update FROM telegram_poll WHERE id = 1")
    return 0 if offset is None else int(offset)


async def save_next_update(conn: Conn, offset: int) -> None:
    await conn.execute(
        "INSERT INTO telegram_poll (id, next_update) VALUES (1, $1) "
        "ON CONFLICT (id) DO UPDATE SET next_update = GREATEST(telegram_poll.next_update, $1)",
        offset,
    )

"""The delivery outbox: one row per notice, channel and address, written in the consumer's
inbox transaction (so a redelivered event adds nothing) and drained by the delivery job.

States: pending (waiting or due), sent, gone (the address no longer exists), parked (kept
failing or refused for good: an admin looks), cancelled (a customer's SMS whose visit moved or
was cancelled before it went: customer_sms_store.py). A claimed row is leased, not locked across the
send: the send happens outside any transaction, and a sender that dies mid-send leaves the
row to come due again when the lease ends (at least once, with the same message id).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.db import Conn

DELIVERIES_DDL = """
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'other';
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS occurred_at timestamptz;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS photos int NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS documents int NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS notifications_group_idx
    ON notifications (user_id, order_id, occurred_at) WHERE kind = 'media_uploaded';
ALTER TABLE recipients ADD COLUMN IF NOT EXISTS email text;
-- A notice for someone this service has not heard of yet (identity events travel on a topic
-- of their own): routed to the channels when they are (routed = false until then).
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS routed boolean NOT NULL DEFAULT true;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS personal boolean NOT NULL DEFAULT true;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS starts_at timestamptz;
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS timezone text;
CREATE INDEX IF NOT EXISTS notifications_unrouted_idx ON notifications (user_id)
    WHERE NOT routed;
ALTER TABLE known_orders ADD COLUMN IF NOT EXISTS creator_id uuid;
ALTER TABLE reminders ADD COLUMN IF NOT EXISTS timezone text;
CREATE TABLE IF NOT EXISTS deliveries (
    id              bigserial PRIMARY KEY,
    notice_id       uuid NOT NULL,
    user_id         uuid NOT NULL,
    channel         text NOT NULL,
    address         text NOT NULL,
    message_id      text NOT NULL,
    urgent          boolean NOT NULL DEFAULT false,
    state           text NOT NULL DEFAULT 'pending',
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (notice_id, channel, address)
);
CREATE INDEX IF NOT EXISTS deliveries_due_idx
    ON deliveries (channel, next_attempt_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_state_idx ON deliveries (state, created_at DESC);
CREATE TABLE IF NOT EXISTS notification_choices (
    user_id uuid NOT NULL,
    kind    text NOT NULL,
    channel text NOT NULL,
    enabled boolean NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
);
CREATE TABLE IF NOT EXISTS quiet_hours (
    user_id  uuid PRIMARY KEY,
    starts   time NOT NULL,
    ends     time NOT NULL,
    timezone text NOT NULL
);
CREATE TABLE IF NOT EXISTS known_visits (
    visit_id    uuid PRIMARY KEY,
    assignee_id uuid NOT NULL,
    kind        text NOT NULL,
    starts_at   timestamptz NOT NULL,
    timezone    text
);
CREATE TABLE IF NOT EXISTS known_tasks (
    task_id  uuid PRIMARY KEY,
    order_id uuid,
    title    text NOT NULL,
    due_at   timestamptz,
    open     boolean NOT NULL DEFAULT true
);
CREATE TABLE IF NOT EXISTS overdue_orders (
    order_id uuid PRIMARY KEY,
    stage    text NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries_sent (
    day     date PRIMARY KEY,
    sent_at timestamptz NOT NULL
);
"""


async def enqueue(
    conn: Conn,
    notice_id: UUID,
    user_id: UUID,
    channel: str,
    address: str,
    message_id: str,
    due: datetime,
    urgent: bool,
) -> None:
    await conn.execute(
        "INSERT INTO deliveries (notice_id, user_id, channel, address, message_id, urgent, "
        "next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (notice_id, channel, address) DO NOTHING",
        notice_id,
        user_id,
        channel,
        address,
        message_id,
        urgent,
        due,
    )


async def claim(
    pool: asyncpg.Pool, channel: str, now: datetime, lease: timedelta, batch: int
) -> list[asyncpg.Record]:
    """Due deliveries of one channel with their notice's text, leased until now + lease:
    another replica (SKIP LOCKED) or the next round takes them only if this one never
    records how they went."""
    return list(
        await pool.fetch(
            "WITH due AS (SELECT id FROM deliveries WHERE channel = $1 AND state = 'pending' "
            "  AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $4 "
            "  FOR UPDATE SKIP LOCKED), "
            "leased AS (UPDATE deliveries d SET attempts = d.attempts + 1, "
            "  next_attempt_at = $2::timestamptz + $3::interval FROM due WHERE d.id = due.id "
            "  RETURNING d.*) "
            # A customer's SMS has no inbox notice: its own text and order (customer_sms_store).
            "SELECT l.id, l.user_id, l.address, l.message_id, l.urgent, l.attempts, l.expires_at, "
            "  COALESCE(l.order_id, n.order_id) AS order_id, "
            "  COALESCE(l.text, n.text_ru) AS text_ru, n.kind, o.number "
            "FROM leased l LEFT JOIN notifications n ON n.id = l.notice_id "
            "LEFT JOIN known_orders o ON o.order_id = COALESCE(l.order_id, n.order_id) "
            "ORDER BY l.id",
            channel,
            now,
            lease,
            batch,
        )
    )


async def mark_sent(pool: asyncpg.Pool, delivery_id: int, now: datetime) -> None:
    await pool.execute(
        "UPDATE deliveries SET state = 'sent', sent_at = $2, last_error = NULL WHERE id = $1",
        delivery_id,
        now,
    )


async def retry_at(pool: asyncpg.Pool, delivery_id: int, when: datetime, error: str) -> None:
    await pool.execute(
        "UPDATE deliveries SET next_attempt_at = $2, last_error = $3 WHERE id = $1",
        delivery_id,
        when,
        error[:1000],
    )


async def settle(pool: asyncpg.Pool, delivery_id: int, state: str, error: str) -> None:
    """Parked (an admin looks) or gone (the address no longer exists): never tried again."""
    await pool.execute(
        "UPDATE deliveries SET state = $2, last_error = $3 WHERE id = $1",
        delivery_id,
        state,
        error[:1000],
    )


async def listing(
    pool: asyncpg.Pool, state: str | None, limit: int = 200, order_id: UUID | None = None
) -> list[dict[str, Any]]:
    """Newest first. A customer's SMS shows its text (it is all the customer got, and it never
    carries anything commercial); other channels' texts are the inbox's, not repeated here."""
    rows = await pool.fetch(
        "SELECT d.id, d.notice_id::text, d.user_id::text, r.username, d.channel, d.address, "
        "d.message_id, d.state, d.attempts, d.next_attempt_at, d.last_error, d.created_at, "
        "d.sent_at, COALESCE(d.order_id, n.order_id)::text AS order_id, "
        "o.number AS order_number, CASE WHEN d.channel = 'sms' THEN d.text END AS text "
        "FROM deliveries d LEFT JOIN recipients r USING (user_id) "
        "LEFT JOIN notifications n ON n.id = d.notice_id "
        "LEFT JOIN known_orders o ON o.order_id = COALESCE(d.order_id, n.order_id) "
        "WHERE ($1::text IS NULL OR d.state = $1) "
        "AND ($3::uuid IS NULL OR COALESCE(d.order_id, n.order_id) = $3) "
        "ORDER BY d.created_at DESC, d.id DESC LIMIT $2",
        state,
        limit,
        order_id,
    )
    return [dict(r) for r in rows]

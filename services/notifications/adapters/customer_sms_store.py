"""What the customers' confirmation SMS need to know, and their rows in the delivery outbox.

The SMS themselves are rows of `deliveries` (channel `sms`, the customer's phone as the
address, no user): the outbox's retries, back-off, parking and the admins' screen serve them
as they serve every other channel. A row waits in `pending` until its moment (18:00 the day
before the visit), so the outbox is also the schedule; a moved or cancelled visit, a withdrawn
consent or a changed phone turns the waiting row `cancelled` in the consumer's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from plumbing.db import Conn

SMS = "sms"

CUSTOMER_SMS_DDL = """
ALTER TABLE known_orders ADD COLUMN IF NOT EXISTS customer_phone text;
ALTER TABLE known_orders ADD COLUMN IF NOT EXISTS sms_consent boolean NOT NULL DEFAULT false;
CREATE TABLE IF NOT EXISTS customer_visits (
    visit_id  uuid PRIMARY KEY,
    order_id  uuid NOT NULL,
    kind      text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS customer_visits_order_idx ON customer_visits (order_id);
-- A customer is no user: their SMS has no user_id, its own text (no inbox notice behind it),
-- and the order and visit it is about.
ALTER TABLE deliveries ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS text text;
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS order_id uuid;
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS visit_id uuid;
-- Not sent after this (the delivery job parks it): a confirmation retried into the night or
-- the visit's own day would say «завтра» wrongly.
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS expires_at timestamptz;
CREATE INDEX IF NOT EXISTS deliveries_visit_idx ON deliveries (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS deliveries_order_idx ON deliveries (order_id) WHERE order_id IS NOT NULL;
"""


@dataclass(frozen=True)
class CustomerVisit:
    visit_id: UUID
    order_id: UUID
    kind: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Reachable:
    phone: str | None
    consent: bool


async def set_phone(conn: Conn, order_id: UUID, phone: str) -> None:
    await conn.execute(
        "UPDATE known_orders SET customer_phone = $2 WHERE order_id = $1", order_id, phone
    )


async def set_consent(conn: Conn, order_id: UUID, consent: bool) -> None:
    await conn.execute(
        "UPDATE known_orders SET sms_consent = $2 WHERE order_id = $1", order_id, consent
    )


async def reachable(conn: Conn, order_id: UUID) -> Reachable:
    row = await conn.fetchrow(
        "SELECT customer_phone, sms_consent FROM known_orders WHERE order_id = $1", order_id
    )
    return Reachable(None, False) if row is None else Reachable(row[0], row[1])


async def remember_visit(conn: Conn, v: CustomerVisit) -> None:
    await conn.execute(
        "INSERT INTO customer_visits (visit_id, order_id, kind, starts_at, ends_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (visit_id) DO UPDATE "
        "SET order_id = $2, kind = $3, starts_at = $4, ends_at = $5",
        v.visit_id,
        v.order_id,
        v.kind,
        v.starts_at,
        v.ends_at,
    )


async def forget_visit(conn: Conn, visit_id: UUID) -> None:
    await conn.execute("DELETE FROM customer_visits WHERE visit_id = $1", visit_id)


async def visits_of(conn: Conn, order_id: UUID) -> list[CustomerVisit]:
    return await _visits(conn, "order_id = $1", order_id)


async def upcoming_visits(conn: Conn, now: datetime) -> list[CustomerVisit]:
    return await _visits(conn, "starts_at > $1 ORDER BY starts_at", now)


async def _visits(conn: Conn, where: str, value: object) -> list[CustomerVisit]:
    rows = await conn.fetch(
        "SELECT visit_id, order_id, kind, starts_at, ends_at FROM customer_visits "
        f"WHERE {where}",  # one of the two fixed conditions above
        value,
    )
    return [CustomerVisit(*r) for r in rows]


async def cancel_waiting(conn: Conn, visit_id: UUID, reason: str) -> None:
    """The visit's SMS not yet sent will not be: it moved, was cancelled, or may no longer be
    sent. One being sent at this moment (leased) may still go: at most once more."""
    await conn.execute(
        "UPDATE deliveries SET state = 'cancelled', last_error = $2 "
        "WHERE visit_id = $1 AND channel = 'sms' AND state = 'pending'",
        visit_id,
        reason,
    )


async def schedule(
    conn: Conn,
    key: UUID,
    visit: CustomerVisit,
    phone: str,
    message_id: str,
    text: str,
    due: datetime,
    expires: datetime,
) -> None:
    """The SMS for this visit at this time to this phone (`key`), due at `due`. The same key
    again (a visit moved away and back) revives its cancelled row rather than adding one;
    one already sent stays sent: the customer has been told that very time."""
    await conn.execute(
        "INSERT INTO deliveries (notice_id, user_id, channel, address, message_id, urgent, "
        "next_attempt_at, text, order_id, visit_id, expires_at) "
        "VALUES ($1, NULL, 'sms', $2, $3, false, $4, $5, $6, $7, $8) "
        "ON CONFLICT (notice_id, channel, address) DO UPDATE "
        "SET state = 'pending', next_attempt_at = $4, text = $5, attempts = 0, last_error = NULL, "
        "expires_at = $8 WHERE deliveries.state = 'cancelled'",
        key,
        phone,
        message_id,
        due,
        text,
        visit.order_id,
        visit.visit_id,
        expires,
    )

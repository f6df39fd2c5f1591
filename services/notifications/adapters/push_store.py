"""Web Push subscriptions: one per device (browser profile), the caller's own.

The browser's push service gives each subscription a unique endpoint URL; subscribing again
on the same device returns the same endpoint, so the endpoint is the natural key and
subscribing is idempotent on it. If another person signs in on the same device and
subscribes, the endpoint moves to them: the device now belongs to whoever enabled pushes last.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from plumbing.db import Conn

PUSH_DDL = """
CREATE TABLE IF NOT EXISTS push_subscriptions (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    endpoint   text NOT NULL UNIQUE,
    p256dh     text NOT NULL,
    auth       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS push_subscriptions_user_idx ON push_subscriptions (user_id);
"""


@dataclass(frozen=True)
class Subscription:
    id: uuid.UUID
    user_id: uuid.UUID
    endpoint: str
    p256dh: str  # the browser's P-256 public key, URL-safe base64 (RFC 8291)
    auth: str  # the 16-byte auth secret, URL-safe base64


async def subscribe(
    conn: Conn, user_id: uuid.UUID, endpoint: str, p256dh: str, auth: str
) -> tuple[Subscription, bool]:
    """The subscription for `endpoint`, now the caller's with these keys; True when new."""
    row = await conn.fetchrow(
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth) "
        "VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (endpoint) DO UPDATE SET user_id = $2, p256dh = $4, auth = $5 "
        "RETURNING id, user_id, endpoint, p256dh, auth, (xmax = 0) AS created",
        uuid.uuid4(),
        user_id,
        endpoint,
        p256dh,
        auth,
    )
    assert row is not None
    created = bool(row["created"])
    return Subscription(row["id"], row["user_id"], row["endpoint"], row["p256dh"], row["auth"]), (
        created
    )


async def unsubscribe(conn: Conn, user_id: uuid.UUID, endpoint: str) -> bool:
    """Only the caller's own: someone else's endpoint is as good as unknown."""
    done = await conn.execute(
        "DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2", user_id, endpoint
    )
    return done != "DELETE 0"


async def get(conn: Conn, subscription_id: uuid.UUID) -> Subscription | None:
    row = await conn.fetchrow(
        "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE id = $1",
        subscription_id,
    )
    return None if row is None else Subscription(**dict(row))


async def of_user(conn: Conn, user_id: uuid.UUID) -> list[Subscription]:
    """The addresses the outbox sends a person's pushes to (one per device)."""
    rows = await conn.fetch(
        "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions "
        "WHERE user_id = $1 ORDER BY created_at",
        user_id,
    )
    return [Subscription(**dict(r)) for r in rows]


async def drop(conn: Conn, subscription_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM push_subscriptions WHERE id = $1", subscription_id)

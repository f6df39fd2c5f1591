"""The consumer's inbox: which event ids it has applied, committed with the effect itself."""

from __future__ import annotations

from uuid import UUID

from plumbing.db import Conn

INBOX_DDL = """
CREATE TABLE IF NOT EXISTS inbox (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigserial PRIMARY KEY,
    consumer    text NOT NULL,
    topic       text NOT NULL,
    partition   int NOT NULL,
    "offset"    bigint NOT NULL,
    payload     bytea,
    error       text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
"""


async def claim(conn: Conn, consumer: str, event_id: UUID) -> bool:
    """True when this consumer has not applied the event yet. Call inside the transaction
    that applies it: the unique key makes a concurrent or redelivered copy a no-op."""
    inserted = await conn.fetchval(
        "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING RETURNING true",
        consumer,
        event_id,
    )
    return bool(inserted)


async def claim_many(conn: Conn, consumer: str, event_ids: list[UUID]) -> set[UUID]:
    """The ids of `event_ids` this consumer had not applied yet, claimed in one statement (a
    batch of a rebuild's catch-up). An id twice in the list is claimed once."""
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[]) "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        event_ids,
    )
    return {row["event_id"] for row in rows}

"""An append-only log whose global order equals commit order, and the outbox built on it.

Why serialize appends: with a plain sequence, transaction A can take position 10, transaction
B position 11, and B commit first; a reader that saw 11 and stored "11" as its checkpoint
would never see 10. Taking one transaction-scoped advisory lock per log *before* drawing
positions makes positions visible in the order they were drawn, so `position > checkpoint`
never skips a late commit. The cost is one writer at a time per log (see `make bench`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg

from contracts.envelope import Envelope
from contracts.topics import partition_key, topic_for
from plumbing import tracing
from plumbing.db import Conn, lock_key


@dataclass(frozen=True)
class LogRecord:
    """One entry of a service's log, ready to publish."""

    position: int
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class LogSource(Protocol):
    """What a relay follows: a log readable from a position, with a NOTIFY channel."""

    name: str
    channel: str

    async def read_after(self, position: int, limit: int) -> Sequence[LogRecord]: ...

    async def head(self) -> int: ...


async def serialize_appends(conn: Conn, log_name: str) -> None:
    """Call inside the append transaction, before drawing positions (see module docstring)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("log:" + log_name))


async def notify(conn: Conn, channel: str) -> None:
    # Delivered at commit, so a listener never wakes before the rows are visible.
    await conn.execute("SELECT pg_notify($1, '')", channel)


OUTBOX_DDL = """
CREATE SEQUENCE IF NOT EXISTS outbox_position_seq;
CREATE TABLE IF NOT EXISTS outbox (
    position   bigint PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    topic      text NOT NULL,
    key        bytea NOT NULL,
    envelope   jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
"""
# A later step: the context of the span each event was made in (plumbing/tracing.py).
OUTBOX_TRACE_DDL = "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS trace_context jsonb;"


class Outbox:
    """The log of a service whose state lives in ordinary tables (scheduling, media, gateway).

    Events are written in the same transaction as the state change: the outbox *is* the log.
    Retained, not deleted after publishing, so read models can be rebuilt from it.
    """

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.name = f"{schema}.outbox"
        self.channel = f"log_{schema}_outbox"

    async def append(self, conn: Conn, envelopes: Sequence[Envelope]) -> int:
        """Append within the caller's transaction. Returns how many were new.

        An envelope whose event_id is already there is skipped: event-triggered commands use
        deterministic ids, so a redelivered trigger writes nothing twice.
        """
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.append must run inside the state change's transaction")
        await serialize_appends(conn, self.name)
        added = 0
        trace_context = tracing.carrier()  # the span these events are made in (plumbing/tracing.py)
        for env in envelopes:
            row = await conn.fetchrow(
                "INSERT INTO outbox (position, event_id, topic, key, envelope, trace_context) "
                "VALUES (nextval('outbox_position_seq'), $1, $2, $3, $4::jsonb, $5::jsonb) "
                "ON CONFLICT (event_id) DO NOTHING RETURNING position",
                env.event_id,
                topic_for(env.type),
                partition_key(env.stream_id),
                env.model_dump(mode="json"),
                trace_context,
            )
            added += row is not None
        if added:
            await notify(conn, self.channel)
        return added

    async def read_after(self, position: int, limit: int) -> Sequence[LogRecord]:
        rows = await self.pool.fetch(
            "SELECT position, topic, key, envelope::text AS value, trace_context FROM outbox "
            "WHERE position > $1 ORDER BY position LIMIT $2",
            position,
            limit,
        )
        return [
            LogRecord(
                r["position"],
                r["topic"],
                bytes(r["key"]),
                r["value"].encode(),
                tracing.headers(r["trace_context"]),
            )
            for r in rows
        ]

    async def read_envelopes(self, after: int, limit: int) -> list[tuple[int, Envelope]]:
        rows = await self.pool.fetch(
            "SELECT position, envelope::text AS value FROM outbox "
            "WHERE position > $1 ORDER BY position LIMIT $2",
            after,
            limit,
        )
        return [(r["position"], Envelope.model_validate_json(r["value"])) for r in rows]

    async def head(self) -> int:
        value = await self.pool.fetchval("SELECT coalesce(max(position), 0) FROM outbox")
        return int(value)

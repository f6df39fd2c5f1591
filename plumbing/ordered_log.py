"""An append-only log that followers read in a gap-free order without serializing appends,
and the outbox built on it.

The problem: with a plain sequence, transaction A can draw position 10, B position 11, and B
commit first; a reader that saw 11 and stored "11" as its checkpoint would never see 10. Until
issue 17 every append took one advisory lock per log through its commit, so positions became
visible in the order they were drawn; the price was one writer (and one WAL flush) at a time.

Now appends take no lock. Each row also records `transaction_order` (see ORDER_DEFAULT): the
writing transaction's id, raised to the first id not yet completed when the row's statement
began. Followers read in (transaction_order, position) order and only rows whose order is below
the oldest transaction still running (`pg_snapshot_xmin`), as Emmett's PostgreSQL store does:

- A running writer's id is at least that xmin, and a writer that has no id yet gets one above
  it; a row is read only once every transaction that could still add a row before it has
  ended. So a follower's cursor (transaction_order, position) is never passed by a late commit.
- Within a stream the order is the order of the writes: a second write to a stream happens
  after the first committed (the stream's row lock, or the events' unique stream version), so
  its statement began after that commit and its order is at least the first one's; if equal,
  its position was drawn later. This is why the order is not the bare transaction id: a
  transaction that got its id early (an earlier write) and then waited for the stream's row
  lock would otherwise sort *before* the write it waited for.
- Rows written before the upgrade have order 0: they were written under the lock, so their
  positions are their true order, and a checkpoint N stored then is the cursor (0, N).

What it costs the followers: xmin is cluster-wide, so any long writing transaction (an import
in one transaction, a long migration, in any database of the server) holds every follower back
until it ends; nothing is lost, only delayed. Positions stay unique and rise within a stream,
but are no longer the follow order: lag in positions is an estimate (see Relay).

Waking followers: NOTIFY inside a transaction takes a database-wide lock from pre-commit to
the end of the commit, which serializes every notifying commit (no shared WAL flush). So appends
NOTIFY afterwards, from a background task (Waker) that folds a burst of appends into one
NOTIFY. A NOTIFY may be lost or come before the commit it announces (the outbox appends inside
its caller's transaction): followers look again shortly and also poll, so a lost wake-up only
delays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import asyncpg

from contracts.envelope import Envelope
from contracts.topics import partition_key, topic_for
from plumbing import tracing
from plumbing.db import Conn, lock_key

log = logging.getLogger(__name__)


class Cursor(NamedTuple):
    """A follower's place in a log: (transaction_order, position), compared as a pair."""

    transaction_order: int
    position: int


START = Cursor(0, 0)

# The order of a row (module docstring). The snapshot's xmax is one past the newest completed
# transaction when the statement began; a writer's own id may be newer still.
ORDER_DEFAULT = "greatest(pg_current_xact_id(), pg_snapshot_xmax(pg_current_snapshot()))"


def order_ddl(table: str) -> str:
    """The migration step that adds `transaction_order` to a log table written by today's code.

    Existing rows get 0 (their position order is their true order); new ones ORDER_DEFAULT.
    Adding a column with a constant default rewrites nothing (PostgreSQL 11+)."""
    return (
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS transaction_order xid8 NOT NULL "
        "DEFAULT '0';\n"
        f"ALTER TABLE {table} ALTER COLUMN transaction_order SET DEFAULT {ORDER_DEFAULT};\n"
        f"CREATE INDEX IF NOT EXISTS {table}_follow_order ON {table} "
        "(transaction_order, position);"
    )


def after_cursor(first_param: int) -> str:
    """The WHERE clause of a follower's read: after the cursor, below the oldest running
    transaction. Parameters `first_param` and the next one hold the cursor."""
    a, b = first_param, first_param + 1
    return (
        f"(transaction_order, position) > (${a}::xid8, ${b}::bigint) "
        "AND transaction_order < pg_snapshot_xmin(pg_current_snapshot())"
    )


FOLLOW_ORDER = "ORDER BY transaction_order, position"


def held_back_query(table: str) -> str:
    """Whether committed rows follow the cursor ($1, $2) that the horizon still hides: a
    follower that read nothing while this holds has rows waiting on some other transaction
    of the server to end, and should look again soon, not at its next poll."""
    return (
        f"SELECT EXISTS (SELECT 1 FROM {table} "
        "WHERE (transaction_order, position) > ($1::xid8, $2::bigint))"
    )


@dataclass(frozen=True)
class LogRecord:
    """One entry of a service's log, ready to publish."""

    cursor: Cursor
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class LogSource(Protocol):
    """What a relay follows: a log readable after a cursor, with a NOTIFY channel."""

    name: str
    channel: str

    async def read_after(self, after: Cursor, limit: int) -> Sequence[LogRecord]: ...

    async def held_back(self, after: Cursor) -> bool:
        """Committed rows after `after` that the horizon still hides (held_back_query)."""
        ...

    async def head(self) -> int:
        """The highest position written (committed or not yet readable): for the lag gauge."""
        ...


async def serialize_appends(conn: Conn, log_name: str) -> None:
    """One writer at a time for a log that still orders by position alone (the notifications
    inbox); call inside the append transaction, before drawing positions."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("log:" + log_name))


class Waker:
    """Sends the log's NOTIFY after appends, outside their transactions, one at a time and at
    most one per `spacing_s`: the appends of a burst share one NOTIFY. Why spaced: in `bench
    --only event-store` one writer appended 938 ev/s with no NOTIFY and 461 with one after
    every append (a second round trip and transaction per append, on a 2-core machine); at
    one per 5 ms a follower waits at most 5 ms more. Best effort: followers poll too."""

    def __init__(self, pool: asyncpg.Pool, channel: str, spacing_s: float = 0.005) -> None:
        self.pool = pool
        self.channel = channel
        self.spacing_s = spacing_s
        self._pending = False
        self._task: asyncio.Task[None] | None = None

    def poke(self) -> None:
        self._pending = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        while self._pending:
            self._pending = False
            try:
                await self.pool.execute("SELECT pg_notify($1, '')", self.channel)
            except Exception as exc:  # a closed pool at shutdown, a lost connection
                log.debug("notify on %s not sent: %s", self.channel, exc)
                return
            await asyncio.sleep(self.spacing_s)


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
# Issue 17: appends without the log's lock, followed in (transaction_order, position) order.
OUTBOX_ORDER_DDL = order_ddl("outbox")

_OUTBOX_INSERT = """
INSERT INTO outbox (position, event_id, topic, key, envelope, trace_context)
SELECT nextval('outbox_position_seq'), e.event_id, e.topic, e.key, e.envelope::jsonb, $5::jsonb
FROM (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[])
        WITH ORDINALITY AS e(event_id, topic, key, envelope, n)
    ORDER BY n
) AS e
ON CONFLICT (event_id) DO NOTHING
"""


class Outbox:
    """The log of a service whose state lives in ordinary tables (scheduling, media, gateway).

    Events are written in the same transaction as the state change: the outbox *is* the log.
    Retained, not deleted after publishing, so read models can be rebuilt from it.

    The events of one entity stay in order for followers as long as writers of that entity
    are serialized by its row lock taken in an earlier statement than the append (module
    docstring): scheduling's per-stream version counter (adapters/streams.py), media's
    `SELECT ... FOR UPDATE` of the media row, the gateway's `FOR UPDATE` of the user row.
    """

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.name = f"{schema}.outbox"
        self.channel = f"log_{schema}_outbox"
        self.waker = Waker(pool, self.channel)

    async def append(self, conn: Conn, envelopes: Sequence[Envelope]) -> int:
        """Append within the caller's transaction, in one statement. Returns how many were new.

        An envelope whose event_id is already there is skipped: event-triggered commands use
        deterministic ids, so a redelivered trigger writes nothing twice.
        """
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.append must run inside the state change's transaction")
        if not envelopes:
            return 0
        status = await conn.execute(
            _OUTBOX_INSERT,
            [env.event_id for env in envelopes],
            [topic_for(env.type) for env in envelopes],
            [partition_key(env.stream_id) for env in envelopes],
            [env.model_dump_json() for env in envelopes],
            tracing.carrier(),  # the span these events are made in (plumbing/tracing.py)
        )
        added = int(status.rsplit(" ", 1)[1])  # "INSERT 0 <rows>"
        if added:
            # Before the caller's commit: the relay looks again shortly when a wake-up finds
            # nothing (plumbing/relay.py), and polls anyway.
            self.waker.poke()
        return added

    async def read_after(self, after: Cursor, limit: int) -> Sequence[LogRecord]:
        rows = await self.pool.fetch(
            "SELECT transaction_order, position, topic, key, envelope::text AS value, "
            f"trace_context FROM outbox WHERE {after_cursor(1)} {FOLLOW_ORDER} LIMIT $3",
            after.transaction_order,
            after.position,
            limit,
        )
        return [
            LogRecord(
                Cursor(r["transaction_order"], r["position"]),
                r["topic"],
                bytes(r["key"]),
                r["value"].encode(),
                tracing.headers(r["trace_context"]),
            )
            for r in rows
        ]

    async def read_envelopes(self, after: Cursor, limit: int) -> list[tuple[Cursor, Envelope]]:
        rows = await self.pool.fetch(
            "SELECT transaction_order, position, envelope::text AS value FROM outbox "
            f"WHERE {after_cursor(1)} {FOLLOW_ORDER} LIMIT $3",
            after.transaction_order,
            after.position,
            limit,
        )
        return [
            (
                Cursor(r["transaction_order"], r["position"]),
                Envelope.model_validate_json(r["value"]),
            )
            for r in rows
        ]

    async def held_back(self, after: Cursor) -> bool:
        return bool(await self.pool.fetchval(held_back_query("outbox"), *after))

    async def head(self) -> int:
        value = await self.pool.fetchval("SELECT coalesce(max(position), 0) FROM outbox")
        return int(value)

"""Applying the records a consumer fetched from one partition: one transaction for them all.

The happy path: claim every event id in the inbox with one statement, run the handler for the
newly claimed ones in offset order, commit once. One commit (one WAL flush) and one inbox
round trip per batch instead of per event; exactly-once in effect is unchanged, since the
claims commit with the effects or not at all.

When a handler raises, the batch's transaction is rolled back (nothing of it happened) and the
same records are applied one event per transaction, as before issue 17: retries with backoff,
and the event that keeps failing is dead-lettered alone, so one bad event neither holds nor
loses its neighbours. A database that is away is waited for, never skipped. A handler whose
effect commits in a transaction of its own (the orders service appends a fact's events through
its event store) relies on its own idempotency, deterministic event ids, as with a
redelivery: after a rolled-back batch its effect is applied again and appends nothing.

Why a batch is cut at MOST_PER_TRANSACTION events: a writing transaction holds back the
horizon every follower of every log on the server reads below (plumbing/ordered_log.py), so
one long batch would delay every relay of the system by its length.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import asyncpg
from aiokafka.structs import ConsumerRecord

from contracts.envelope import Envelope
from plumbing import correlation, db, metrics, tracing
from plumbing.db import Conn
from plumbing.inbox import claim, claim_many

log = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Handler = Callable[[Conn, Envelope], Awaitable[None]]
DeadLetter = Callable[[Record, str], Awaitable[None]]
# Run first in each transaction that applies events: a service whose handlers take locks in
# an order that differs from event to event takes one of its own here, so two replicas'
# batches queue on it rather than deadlock (projections: its changes feed's lock).
Begin = Callable[[Conn], Awaitable[None]]
MAX_ATTEMPTS = 5
MOST_PER_TRANSACTION = 50


@dataclass(frozen=True)
class Delivery:
    """A record in hand: its envelope (upcast to this release), or why it is no event at all."""

    record: Record
    envelope: Envelope | None
    undecodable: str = ""


class BatchApply:
    def __init__(
        self,
        group: str,
        pool: asyncpg.Pool,
        handler: Handler,
        dead_letter: DeadLetter,
        begin: Begin | None = None,
    ):
        self.group = group
        self.pool = pool
        self.handler = handler
        self.dead_letter = dead_letter
        self.begin = begin

    async def __call__(self, deliveries: Sequence[Delivery]) -> int:
        """Apply one partition's `deliveries`, in offset order. Returns when each is done
        (applied, a duplicate, or dead-lettered) with how many were applied."""
        applied = 0
        for start in range(0, len(deliveries), MOST_PER_TRANSACTION):
            applied += await self._part(deliveries[start : start + MOST_PER_TRANSACTION])
        return applied

    async def _part(self, deliveries: Sequence[Delivery]) -> int:
        readable = [(d.record, d.envelope) for d in deliveries if d.envelope is not None]
        # One event alone is applied as after a failure: no attempt more than before.
        together = await self._together(readable) if len(readable) > 1 else None
        if together is None:
            return await self._one_by_one(deliveries)
        for d in deliveries:
            if d.envelope is None:
                await self.dead_letter(d.record, d.undecodable)
        return together

    async def _together(self, events: Sequence[tuple[Record, Envelope]]) -> int | None:
        """Applied count once the one transaction committed; None when a handler raised (then
        nothing of the batch was committed)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._transaction() as conn:
                    ids = [envelope.event_id for _, envelope in events]
                    fresh = await claim_many(conn, self.group, ids)
                    applied = 0
                    for record, envelope in events:
                        # Not fresh: applied before (a redelivery), or earlier in this batch.
                        if envelope.event_id not in fresh:
                            continue
                        fresh.discard(envelope.event_id)
                        with self._event(record, envelope):
                            await self.handler(conn, envelope)
                        applied += 1
            except db.UNAVAILABLE:
                # The database is away: wait for it, never skip the events.
                log.warning("database unavailable while applying a batch of %d", len(events))
                await asyncio.sleep(min(5.0, 0.2 * attempt))
                continue
            except Exception as exc:
                log.warning(
                    "a handler of %s failed in a batch of %d (%r): applying them one at a time",
                    self.group,
                    len(events),
                    exc,
                )
                return None
            metrics.EVENTS_PROCESSED.labels(self.group, "applied").inc(applied)
            metrics.EVENTS_PROCESSED.labels(self.group, "duplicate").inc(len(events) - applied)
            return applied

    async def _one_by_one(self, deliveries: Sequence[Delivery]) -> int:
        applied = 0
        for d in deliveries:
            if d.envelope is None:
                await self.dead_letter(d.record, d.undecodable)
                continue
            with self._event(d.record, d.envelope):
                applied += await self._alone(d.record, d.envelope)
        return applied

    async def _alone(self, record: Record, envelope: Envelope) -> int:
        """One event in its own transaction, retried with backoff; 1 when it was applied."""
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._transaction() as conn:
                    if not await claim(conn, self.group, envelope.event_id):
                        metrics.EVENTS_PROCESSED.labels(self.group, "duplicate").inc()
                        return 0
                    await self.handler(conn, envelope)
                metrics.EVENTS_PROCESSED.labels(self.group, "applied").inc()
                return 1
            except db.UNAVAILABLE:
                log.warning("database unavailable while applying %s", envelope.event_id)
                await asyncio.sleep(min(5.0, 0.2 * attempt))
            except Exception as exc:
                if attempt >= MAX_ATTEMPTS:
                    log.exception("handler failed for %s", envelope.event_id)
                    await self.dead_letter(record, repr(exc))
                    return 0
                await asyncio.sleep(0.2 * attempt)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        """A transaction on a pooled connection, `begin` run first in it."""
        async with self.pool.acquire() as conn, conn.transaction():
            if self.begin is not None:
                await self.begin(conn)
            yield conn

    @contextlib.contextmanager
    def _event(self, record: Record, envelope: Envelope) -> Iterator[None]:
        """The event's correlation id, and a span continuing the trace of the request that made
        it (its record's headers): events the handler appends are made in it."""
        correlation.set_current(envelope.correlation_id)
        attributes = {
            "messaging.system": "kafka",
            "messaging.destination.name": record.topic,
            "messaging.consumer.group.name": self.group,
            "messaging.message.id": str(envelope.event_id),
        }
        try:
            with tracing.consuming(record.headers, f"consume {envelope.type}", attributes):
                yield
        finally:
            correlation.set_current(None)

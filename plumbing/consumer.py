"""The consumer loop: at-least-once delivery made exactly-once in effect.

Per fetched batch of a partition: one PostgreSQL transaction claims the events' ids in the
inbox and applies the handler's changes (plumbing/batch_apply.py; one event per transaction
again when a handler fails); only after it commits are the Kafka offsets committed. A crash
between the two means redelivery, and the inbox turns the second copy into a no-op.

Broker restarts (the local broker keeps memory only): the relay republishes its log with a
higher epoch in a header; the first record of a higher epoch makes us read that topic again
from its start (the inbox absorbs what we had). A position beyond the end of a recreated
partition resets to the earliest offset. Lag that does not move while nothing arrives (a
stuck fetch, seen after restarts) rebuilds the Kafka consumer.

An event of a newer release (a type or schema version this release cannot read) stops its
partition, uncommitted, until a release that can read it consumes it (plumbing/blocked.py).
Bytes that are no envelope at all are dead-lettered: no release can read them. Dead letters an
operator marked for replay (plumbing/dead_letters.py) are replayed here, at the watchdog's pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Literal, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.registry import FutureSchemaVersion, UnknownEventType
from plumbing import db, dead_letters, kafka, metrics, progress
from plumbing.batch_apply import MAX_ATTEMPTS, BatchApply, Begin, Delivery, Handler
from plumbing.blocked import BlockedPartitions
from plumbing.inbox import claim
from plumbing.relay import EPOCH_HEADER, LOG_HEADER
from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)

__all__ = ["MAX_ATTEMPTS", "Consumer", "Handler", "KnownEvents"]


class KnownEvents(Protocol):
    """What a release can read: `upcast` returns the envelope at the newest schema version it
    knows, and raises UnknownEventType or FutureSchemaVersion for an event of a newer release."""

    def upcast(self, envelope: Envelope) -> Envelope: ...


class _Rebuild(Exception):
    """Raised inside the loop to throw the Kafka consumer away and start a fresh one."""


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: Consumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        # Commit what we finished before the partitions move; what is lost is redelivered.
        await self.owner.commit()
        # Whoever gets a blocked partition next reads it from the committed offset.
        self.owner.blocked.forget(revoked)

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        log.info("assigned %s", sorted(f"{tp.topic}:{tp.partition}" for tp in assigned))


class Consumer:
    def __init__(
        self,
        group: str,
        topics: Sequence[str],
        pool: asyncpg.Pool,
        settings: ServiceSettings,
        handler: Handler,
        events: KnownEvents = registry.THIS_RELEASE,
        begin: Begin | None = None,
    ) -> None:
        self.group = group
        self.topics = list(topics)
        self.pool = pool
        self.settings = settings
        self.handler = handler
        self.events = events
        self.apply = BatchApply(group, pool, handler, self._dead_letter, begin)
        self.blocked = BlockedPartitions(group)
        self.progress = progress.track(group)  # its lag, for the readiness body
        self._kafka: AIOKafkaConsumer | None = None
        self._done: dict[TopicPartition, int] = {}
        self._epochs: dict[tuple[str, bytes], int] = {}
        self._last_message_at = time.monotonic()
        self._stalled_checks = 0
        self.processed = 0

    async def run(self) -> None:
        while True:
            self._kafka = self._new_consumer()
            try:
                await self._kafka.start()
                await self._consume(self._kafka)
            except asyncio.CancelledError:
                raise
            except _Rebuild as why:
                log.warning("rebuilding consumer %s: %s", self.group, why)
                metrics.CONSUMER_REBUILDS.labels(self.group).inc()
            except Exception:
                log.exception("consumer %s failed; restarting", self.group)
                await asyncio.sleep(1)
            finally:
                await self._close()

    def _new_consumer(self) -> AIOKafkaConsumer:
        consumer = kafka.group_consumer(self.settings, self.group)
        consumer.subscribe(self.topics, listener=_CommitOnRevoke(self))
        self._epochs.clear()
        self._last_message_at = time.monotonic()
        self._stalled_checks = 0
        return consumer

    async def _close(self) -> None:
        if self._kafka is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.commit(), 5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._kafka.stop(), 10)
        self._kafka = None
        self._done.clear()
        self.blocked.clear()  # the next Kafka consumer reads them from the committed offset

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        next_check = time.monotonic() + self.settings.consumer_watchdog_interval_s
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            rewound: set[str] = set()
            for tp, records in batches.items():
                if tp.topic in rewound or tp in self.blocked:
                    continue  # read again from its start, or held at a newer release's event
                deliveries, cut = self._decode(records)
                if deliveries:
                    self.processed += await self._apply_batch(deliveries)
                    self._done[tp] = deliveries[-1].record.offset + 1
                    self._last_message_at = time.monotonic()
                if isinstance(cut, LookupError):
                    # Nothing from that record on is done: its offset is never committed.
                    self.blocked.stop(consumer, tp, records[len(deliveries)], cut)
                elif cut == "epoch":
                    await self._rewind(consumer, tp.topic)
                    rewound.add(tp.topic)
            if self._done:
                await self.commit()
            if time.monotonic() >= next_check:
                await self._watchdog(consumer)
                try:
                    await self.replay_dead_letters()
                except Exception:  # the replay is an operator's errand: never the stream's end
                    log.exception("replaying dead letters of %s failed", self.group)
                next_check = time.monotonic() + self.settings.consumer_watchdog_interval_s

    async def _rewind(self, consumer: AIOKafkaConsumer, topic: str) -> None:
        """The relay republished `topic` (the broker had lost it): read all of it again.

        Offsets we were about to commit for it are dropped: they count records of the lost
        incarnation and would make a restart skip republished ones.
        """
        partitions = [tp for tp in consumer.assignment() if tp.topic == topic]
        log.warning("relay epoch rose on %s: reading it again from the start", topic)
        metrics.CONSUMER_REBUILDS.labels(self.group).inc()
        for tp in partitions:
            self._done.pop(tp, None)
        # A blocked partition reads the republished log too, and stops again where it must.
        self.blocked.forget(partitions)
        consumer.resume(*partitions)
        await consumer.seek_to_beginning(*partitions)

    def _epoch_went_up(self, record: ConsumerRecord[bytes, bytes]) -> bool:
        headers = dict(record.headers or ())
        raw = headers.get(EPOCH_HEADER)
        if raw is None:
            return False
        epoch = int(raw)
        # Epochs belong to a log (one relay), not to a topic several logs might share.
        source = (record.topic, headers.get(LOG_HEADER, b""))
        known = self._epochs.get(source)
        self._epochs[source] = max(epoch, known or 0)
        return known is not None and epoch > known

    async def commit(self) -> None:
        if not self._done or self._kafka is None:
            return
        offsets, self._done = dict(self._done), {}
        try:
            await self._kafka.commit(offsets)
        except KafkaError as exc:
            # Not fatal: those events will be redelivered and the inbox absorbs them.
            log.warning("offset commit failed (%s); redelivery will follow", exc)

    def _decode(
        self, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> tuple[list[Delivery], LookupError | Literal["epoch"] | None]:
        """The records to apply, in order, up to where the batch is cut, and why it is cut
        there: "epoch" (the relay republished the topic: read it again from its start), or
        why this release cannot read that record (an event of a newer release: nothing from
        it on is claimed, applied or dead-lettered). Undecodable bytes go along, to be
        dead-lettered in their turn: no release can read them."""
        deliveries: list[Delivery] = []
        for record in records:
            if self._epoch_went_up(record):
                return deliveries, "epoch"
            try:
                envelope = self.events.upcast(Envelope.from_json_bytes(record.value or b""))
            except (UnknownEventType, FutureSchemaVersion) as exc:
                return deliveries, exc
            except (ValidationError, ValueError, KeyError) as exc:
                deliveries.append(Delivery(record, None, f"undecodable: {exc}"))
            else:
                deliveries.append(Delivery(record, envelope))
        return deliveries, None

    async def _apply_batch(self, deliveries: Sequence[Delivery]) -> int:
        """Apply one partition's records (plumbing/batch_apply.py); how many were applied."""
        return await self.apply(deliveries)

    async def replay_dead_letters(self) -> int:
        """Replay the dead letters an operator marked (plumbing/dead_letters.py): each through
        the inbox and the handler in one transaction, as a delivery. Returns how many were
        applied. A failure keeps the row, with its error, for the operator."""
        try:
            async with self.pool.acquire() as conn:
                marked = await dead_letters.requested(conn, self.group)
        except db.UNAVAILABLE:
            return 0
        applied = 0
        for letter_id, payload in marked:
            try:
                envelope = self.events.upcast(Envelope.from_json_bytes(payload))
            except (UnknownEventType, FutureSchemaVersion) as exc:
                await self._replay_failed(letter_id, f"this release cannot read it: {exc}")
                continue
            except (ValidationError, ValueError, KeyError) as exc:
                await self._replay_failed(letter_id, f"undecodable: {exc}")
                continue
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    if not await dead_letters.lock_requested(conn, letter_id):
                        continue  # another replica replays it
                    if await claim(conn, self.group, envelope.event_id):
                        await self.handler(conn, envelope)
                        applied += 1
                    await dead_letters.replayed(conn, letter_id)
            except db.UNAVAILABLE:
                return applied  # the next round tries again
            except Exception as exc:
                log.exception("replaying dead letter %s failed", letter_id)
                await self._replay_failed(letter_id, repr(exc))
            else:
                log.info("dead letter %s replayed (%s)", letter_id, envelope.event_id)
                metrics.EVENTS_PROCESSED.labels(self.group, "replayed").inc()
        return applied

    async def _replay_failed(self, letter_id: int, error: str) -> None:
        with contextlib.suppress(*db.UNAVAILABLE):
            async with self.pool.acquire() as conn:
                await dead_letters.failed_again(conn, letter_id, error)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: str) -> None:
        metrics.EVENTS_PROCESSED.labels(self.group, "dead_letter").inc()
        log.error(
            "dead-lettering %s:%s@%s: %s", record.topic, record.partition, record.offset, error
        )
        await self.pool.execute(
            'INSERT INTO dead_letters (consumer, topic, partition, "offset", payload, error) '
            "VALUES ($1, $2, $3, $4, $5, $6)",
            self.group,
            record.topic,
            record.partition,
            record.offset,
            record.value,
            error,
        )

    async def _watchdog(self, consumer: AIOKafkaConsumer) -> None:
        assigned = list(consumer.assignment())
        if not assigned:
            return
        try:
            ends = await asyncio.wait_for(consumer.end_offsets(assigned), 5)
            positions = {tp: await asyncio.wait_for(consumer.position(tp), 5) for tp in assigned}
        except (KafkaError, TimeoutError) as exc:
            log.info("watchdog could not read offsets: %s", exc)
            return
        # An end offset below our position is not taken as loss here: the local broker
        # under-reports ends after multi-record batches. Real loss shows as an out-of-range
        # fetch (reset to earliest) or as a relay epoch that went up; both are handled.
        behind = {tp: max(0, ends.get(tp, 0) - positions[tp]) for tp in assigned}
        # Held partitions count as behind here: the read side has not caught up with them.
        metrics.CONSUMER_LAG.labels(self.group).set(sum(behind.values()))
        self.progress.lag = sum(behind.values())
        # A blocked partition's lag stands still on purpose: a rebuild would only stop at the
        # same event again, forever. Only the partitions that should flow count as a stall.
        lag = sum(n for tp, n in behind.items() if tp not in self.blocked)
        quiet_for = time.monotonic() - self._last_message_at
        self._stalled_checks = (
            self._stalled_checks + 1
            if lag > 0 and quiet_for > self.settings.consumer_watchdog_interval_s
            else 0
        )
        if self._stalled_checks >= 2:
            raise _Rebuild(f"lag {lag} not moving for {quiet_for:.0f}s")

"""The relay: follows one log from a stored checkpoint and publishes it to Kafka.

- One active relay per log: a session advisory lock on a dedicated connection; a second
  replica blocks on it and takes over when the first one's connection goes away.
- Woken by LISTEN/NOTIFY, with a polling fallback (a NOTIFY can be lost on reconnect). A
  NOTIFY may also come just before the commit it announces (plumbing.ordered_log), so a
  wake-up that finds nothing looks again shortly before waiting for the next one.
- The checkpoint is a cursor (transaction_order, position) (plumbing.ordered_log); a row of
  relay_state from before issue 17 holds a position N and order 0, which is exactly the cursor
  (0, N): the relay goes on from there, skipping nothing and republishing nothing.
- At-least-once: the checkpoint moves only after the broker acknowledged the batch. Up to
  WINDOW batches are on their way at once (`_OnTheWay`); the checkpoint moves past the oldest
  only. While a full batch goes out, the next one is read (`_ReadAhead`), taken only if it
  starts where the last batch sent ends.
- Broker loss: the broker used locally keeps memory only. When a topic is missing or a
  partition's end offset is below what we have published, the relay bumps its epoch and
  republishes the whole log; consumers dedupe by event id. The epoch travels in a header so
  consumers learn of a republish even if their own offsets happen to look plausible.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from plumbing import db, kafka, metrics
from plumbing.ordered_log import START, Cursor, LogRecord, LogSource
from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)

RELAY_DDL = """
CREATE TABLE IF NOT EXISTS relay_state (
    log        text PRIMARY KEY,
    checkpoint bigint NOT NULL DEFAULT 0,
    epoch      int NOT NULL DEFAULT 0,
    offsets    jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""
# Issue 17: the checkpoint becomes the pair (checkpoint_order, checkpoint).
RELAY_ORDER_DDL = (
    "ALTER TABLE relay_state ADD COLUMN IF NOT EXISTS checkpoint_order xid8 NOT NULL DEFAULT '0';"
)
EPOCH_HEADER = "relay-epoch"
LOG_HEADER = "relay-log"
BATCH = 500
# Batches on their way to the broker at once. One at a time left the client idle while the
# broker wrote each batch's last records, and the broker idle while the client read and
# prepared the next batch (issue 17: relay 0.32 of a producer that sends all, then awaits).
WINDOW = 4
Acks = list[asyncio.Future[RecordMetadata]]  # one per record sent, resolved by the broker
# After a wake-up that found nothing: look again after these pauses (seconds) before waiting.
RECHECKS = (0.01, 0.05)
# Rows committed but hidden behind another transaction of the server (LogSource.held_back)
# are looked for again after this, doubling to HELD_BACK_MAX_S while they stay hidden: a
# follower waiting out its whole poll interval made every fact up to a second late under load.
HELD_BACK_FIRST_S = 0.005
HELD_BACK_MAX_S = 0.2


@dataclass
class RelayState:
    checkpoint: Cursor = START
    epoch: int = 0
    # per "topic:partition": an end offset the broker must have reached if it kept our data
    offsets: dict[str, int] = field(default_factory=dict)


class Relay:
    def __init__(
        self,
        source: LogSource,
        pool: asyncpg.Pool,
        settings: ServiceSettings,
        topics: Sequence[str],
    ) -> None:
        self.source = source
        self.pool = pool
        self.settings = settings
        self.topics = list(topics)
        self.state = RelayState()
        self.is_leader = False
        self.log_id = source.name.encode()

    async def run(self) -> None:
        """Run until cancelled; any failure is logged and the relay starts over."""
        while True:
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("relay %s failed; restarting", self.source.name)
                await asyncio.sleep(1)

    async def _lead(self) -> None:
        conn = await db.connect(self.settings.database_url, self.settings.schema_name)
        try:
            key = db.lock_key("relay:" + self.source.name)
            # Another replica may hold the lock: poll for it (a blocking pg_advisory_lock would
            # pin a server backend and hide a dead connection from us).
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):  # noqa: ASYNC110
                await asyncio.sleep(1)
            self.is_leader = True
            metrics.RELAY_LEADER.labels(self.source.name).set(1)
            wake = asyncio.Event()
            await conn.add_listener(self.source.channel, lambda *_: wake.set())
            producer = kafka.producer(self.settings)
            probe = kafka.OffsetProbe(self.settings)
            await producer.start()
            try:
                await self._follow(conn, producer, probe, wake)
            finally:
                await probe.close()
                await producer.stop()
        finally:
            self.is_leader = False
            metrics.RELAY_LEADER.labels(self.source.name).set(0)
            # Closing the connection releases the session lock for the next replica.
            await conn.close()

    async def _measure_lag(self) -> None:
        # In positions: an estimate since positions are no longer the follow order (off by at
        # most the rows of transactions in flight), and one cheap query.
        head = await self.source.head()
        lag = max(0, head - self.state.checkpoint.position)
        metrics.RELAY_LAG.labels(self.source.name).set(lag)

    async def _follow(
        self,
        conn: asyncpg.Connection,
        producer: AIOKafkaProducer,
        probe: kafka.OffsetProbe,
        wake: asyncio.Event,
    ) -> None:
        self.state = await self._load()
        if self.state.checkpoint == START:
            # Nothing published yet: our topics and marker are simply new, not lost.
            await self._ensure_topics()
        await self._check_loss(probe)
        ahead = _ReadAhead(self.source)
        try:
            await self._follow_on(conn, producer, probe, wake, ahead)
        finally:
            await ahead.drop()

    async def _follow_on(
        self,
        conn: asyncpg.Connection,
        producer: AIOKafkaProducer,
        probe: kafka.OffsetProbe,
        wake: asyncio.Event,
        ahead: _ReadAhead,
    ) -> None:
        last_check = last_measured = time.monotonic()
        rechecks: tuple[float, ...] = ()
        held_back_s = HELD_BACK_FIRST_S
        on_the_way = _OnTheWay()
        while True:
            if conn.is_closed():
                raise ConnectionError("relay lost its lock connection")
            # Read after the last batch sent, which is ahead of the checkpoint while batches
            # are on their way.
            batch = await ahead.take(on_the_way.sent_to or self.state.checkpoint)
            try:
                if batch:
                    on_the_way.add(batch, await self._send(producer, batch))
                    if len(batch) == BATCH:
                        # A full batch: more is likely waiting, so the next one is read while
                        # this one goes out (issue 17, relays pipelined).
                        ahead.start(batch[-1].cursor)
                    # Up to WINDOW batches await the broker at once; a short batch means the
                    # log is caught up: everything sent is settled before looking again.
                    while on_the_way.batches and (
                        len(on_the_way.batches) >= WINDOW or len(batch) < BATCH
                    ):
                        await self._settle(*on_the_way.oldest())
                    held_back_s = HELD_BACK_FIRST_S
                    # Behind and publishing: measured too, at most once a second (a query each).
                    if time.monotonic() - last_measured >= 1:
                        await self._measure_lag()
                        last_measured = time.monotonic()
                    continue
                while on_the_way.batches:  # a full batch was the last: settle it now
                    await self._settle(*on_the_way.oldest())
            except Exception:
                on_the_way.forget()
                await ahead.drop()
                log.warning("publish failed; will check the broker and retry", exc_info=True)
                # The lag must rise while the broker is away, when on-call looks at it.
                await self._measure_lag()
                await asyncio.sleep(1)
                await self._check_loss(probe)
                last_check = time.monotonic()
                continue
            if rechecks:
                await asyncio.sleep(rechecks[0])
                rechecks = rechecks[1:]
                continue
            if await self.source.held_back(self.state.checkpoint):
                await asyncio.sleep(held_back_s)
                held_back_s = min(held_back_s * 2, HELD_BACK_MAX_S)
                continue
            held_back_s = HELD_BACK_FIRST_S
            await self._measure_lag()
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.settings.relay_poll_interval_s)
            if wake.is_set():
                rechecks = RECHECKS
            if time.monotonic() - last_check >= self.settings.relay_loss_check_interval_s:
                await self._check_loss(probe)
                last_check = time.monotonic()

    async def _send(self, producer: AIOKafkaProducer, batch: Sequence[LogRecord]) -> Acks:
        """Put every record of `batch` on its way; the futures resolve as the broker acks."""
        stamp = [(EPOCH_HEADER, str(self.state.epoch).encode()), (LOG_HEADER, self.log_id)]
        return [
            await producer.send(r.topic, r.value, key=r.key, headers=[*r.headers, *stamp])
            for r in batch
        ]

    async def _settle(self, batch: Sequence[LogRecord], futures: Acks) -> None:
        """Wait for the broker's acknowledgements of `batch` (the oldest on its way) and move
        the checkpoint past it."""
        # Per partition, remember the lowest offset of this batch (+1) as a floor the broker's
        # end offset must stay at or above. Not the highest: the local broker reports the
        # end of a multi-record batch as its base offset + 1, so the max would look "lost".
        floors: dict[str, int] = {}
        for meta in await asyncio.gather(*futures):
            slot = f"{meta.topic}:{meta.partition}"
            floors[slot] = min(floors.get(slot, meta.offset + 1), meta.offset + 1)
        for slot, floor in floors.items():
            # Never lower a floor: a send retried into a restarted, empty broker lands at a
            # small offset, and lowering the floor to it would hide the loss.
            self.state.offsets[slot] = max(self.state.offsets.get(slot, 0), floor)
        self.state.checkpoint = batch[-1].cursor
        await self._save()
        metrics.RELAY_PUBLISHED.labels(self.source.name).inc(len(batch))

    @property
    def marker_topic(self) -> str:
        """An empty topic only this relay creates. Nothing produces to it, so nothing can
        auto-create it: if it is missing, the broker has restarted and lost our data."""
        return f"relay.{self.source.name}"

    async def _check_loss(self, probe: kafka.OffsetProbe) -> None:
        """Detect a broker that lost data, and if so start the log over."""
        try:
            present = await asyncio.wait_for(probe.topics(), 10)
            lost = [t for t in [*self.topics, self.marker_topic] if t not in present]
            reason = f"topics missing: {lost}" if lost else ""
            if not lost and self.state.offsets:
                slots = [
                    (s.rsplit(":", 1)[0], int(s.rsplit(":", 1)[1])) for s in self.state.offsets
                ]
                ends = await asyncio.wait_for(probe.end_offsets(slots), 10)
                behind = {
                    f"{t}:{p}": end
                    for (t, p), end in ends.items()
                    if end < self.state.offsets.get(f"{t}:{p}", 0)
                }
                reason = f"end offsets below published: {behind}" if behind else ""
        except Exception:
            log.warning("broker check failed; will retry", exc_info=True)
            return
        if not reason:
            return
        log.warning("broker lost data (%s); republishing log %s", reason, self.source.name)
        metrics.RELAY_REPUBLISHES.labels(self.source.name).inc()
        await self._ensure_topics()
        self.state = RelayState(checkpoint=START, epoch=self.state.epoch + 1, offsets={})
        await self._save()

    async def _ensure_topics(self) -> None:
        await kafka.ensure_topics(self.settings, self.topics, self.settings.kafka_partitions)
        await kafka.ensure_topics(self.settings, [self.marker_topic], 1)

    async def _load(self) -> RelayState:
        row = await self.pool.fetchrow(
            "SELECT checkpoint_order, checkpoint, epoch, offsets FROM relay_state WHERE log = $1",
            self.source.name,
        )
        if row is None:
            return RelayState()
        checkpoint = Cursor(row["checkpoint_order"], row["checkpoint"])
        return RelayState(checkpoint, row["epoch"], dict(row["offsets"]))

    async def _save(self) -> None:
        await self.pool.execute(
            "INSERT INTO relay_state (log, checkpoint_order, checkpoint, epoch, offsets, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (log) DO UPDATE SET "
            "checkpoint_order = $2, checkpoint = $3, epoch = $4, offsets = $5, updated_at = now()",
            self.source.name,
            *self.state.checkpoint,
            self.state.epoch,
            self.state.offsets,
        )


class _OnTheWay:
    """Batches sent and not yet acknowledged, oldest first. The checkpoint only ever moves
    past the oldest, so it never passes a record the broker has not acknowledged, whatever
    order the acknowledgements come in. Dropped on a failure: the relay sends again from the
    checkpoint (at-least-once; consumers dedupe by event id, as for a failed single batch)."""

    def __init__(self) -> None:
        self.batches: collections.deque[tuple[Sequence[LogRecord], Acks]] = collections.deque()

    @property
    def sent_to(self) -> Cursor | None:
        """The cursor of the last record sent, or None when nothing is on its way."""
        return self.batches[-1][0][-1].cursor if self.batches else None

    def add(
        self, batch: Sequence[LogRecord], futures: list[asyncio.Future[RecordMetadata]]
    ) -> None:
        self.batches.append((batch, futures))

    def oldest(self) -> tuple[Sequence[LogRecord], Acks]:
        return self.batches.popleft()

    def forget(self) -> None:
        for _, futures in self.batches:
            for future in futures:
                # Nobody awaits these any more: their outcome is read here so that a failure
                # is not reported again as "exception never retrieved".
                future.add_done_callback(_swallow)
        self.batches.clear()


def _swallow(future: asyncio.Future[RecordMetadata]) -> None:
    if not future.cancelled():
        future.exception()


class _ReadAhead:
    """At most one batch read ahead, after the cursor the last batch ends at. It is taken only
    if the checkpoint is that cursor by then: after a failed publish or a republish (the
    checkpoint went back), the batch is read again from the checkpoint."""

    def __init__(self, source: LogSource) -> None:
        self.source = source
        self._after: Cursor | None = None
        self._reading: asyncio.Task[Sequence[LogRecord]] | None = None

    def start(self, after: Cursor) -> None:
        self._after = after
        self._reading = asyncio.create_task(self.source.read_after(after, BATCH))

    async def take(self, checkpoint: Cursor) -> Sequence[LogRecord]:
        if self._reading is not None and self._after == checkpoint:
            reading, self._reading, self._after = self._reading, None, None
            return await reading
        await self.drop()
        return await self.source.read_after(checkpoint, BATCH)

    async def drop(self) -> None:
        reading, self._reading, self._after = self._reading, None, None
        if reading is not None:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading

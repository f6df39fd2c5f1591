"""The outbox, the relay and the consumer loop against real PostgreSQL and the real broker."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, TypeVar

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError

from contracts.envelope import Envelope
from contracts.topics import IDENTITY
from plumbing import metrics
from plumbing.consumer import MAX_ATTEMPTS, Consumer
from plumbing.db import Conn
from plumbing.ordered_log import START, Outbox
from plumbing.relay import BATCH, Relay
from tests.conftest import Infra
from tests.integration.helpers import (
    append,
    count_of,
    eventually,
    make_sink,
    produce,
    running,
    settings_for,
    user_event,
)


async def test_outbox_reader_never_skips_a_late_commit(outbox: Outbox) -> None:
    first, second = user_event(), user_event()
    async with outbox.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await outbox.append(conn, [first])
        # The second append commits without waiting for the open one (issue 17) ...
        await asyncio.wait_for(append(outbox, [second]), 5)
        # ... and a follower reads nothing it could checkpoint past until the first ends.
        assert await outbox.read_after(START, 10) == []
        await tx.commit()
    seen = await outbox.read_envelopes(START, 10)
    assert [e.event_id for _, e in seen] == [first.event_id, second.event_id]


async def test_outbox_skips_an_event_id_it_already_holds(outbox: Outbox) -> None:
    event = user_event()
    await append(outbox, [event])
    async with outbox.pool.acquire() as conn, conn.transaction():
        assert await outbox.append(conn, [event]) == 0
    assert len(await outbox.read_after(START, 10)) == 1


async def test_outbox_refuses_to_write_outside_a_transaction(outbox: Outbox) -> None:
    async with outbox.pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside"):
            await outbox.append(conn, [user_event()])


async def read_topic(
    infra: Infra, topic: str, wanted: set[uuid.UUID], timeout: float = 30
) -> list[tuple[bytes, Envelope]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[bytes, Envelope]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while {e.event_id for _, e in found} < wanted:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"only {len(found)} of {len(wanted)} events arrived")
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    env = Envelope.model_validate_json(r.value or b"")
                    if env.event_id in wanted:
                        found.append((r.key or b"", env))
    finally:
        await consumer.stop()
    return found


R = TypeVar("R", bound=Relay)


def identity_relay(kind: type[R], outbox: Outbox, infra: Infra, database_url: str) -> R:
    """A relay of `kind` following the test's outbox onto the identity topic."""
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    return kind(outbox, outbox.pool, settings, [IDENTITY])


async def test_relay_publishes_the_log_keyed_by_aggregate(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    user = uuid.uuid4()
    events = [user_event(user) for _ in range(5)] + [user_event() for _ in range(5)]
    await append(outbox, events)
    relay = identity_relay(Relay, outbox, infra, database_url)
    async with running(relay.run):
        found = await read_topic(infra, IDENTITY, {e.event_id for e in events})
        await eventually(lambda: _checkpoint_is(outbox, len(events)))
    mine = [e for key, e in found if key == f"user-{user}".encode()]
    # one aggregate's events keep their order (same key → same partition)
    assert [e.event_id for e in mine] == [e.event_id for e in events[:5]]


async def test_full_batches_read_ahead_publish_each_event_once_in_order(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    # More than two full batches: each is read while the one before goes out, and several
    # are on their way at once (plumbing/relay.py, WINDOW).
    relay = identity_relay(Relay, outbox, infra, database_url)
    events, found = await _relay_all(relay, outbox, infra, 2 * BATCH + 37, per_commit=100)
    assert [e.event_id for _, e in found] == [e.event_id for e in events]


async def _relay_all(
    relay: Relay, outbox: Outbox, infra: Infra, count: int, per_commit: int
) -> tuple[list[Envelope], list[tuple[bytes, Envelope]]]:
    """`count` events of one user appended `per_commit` at a time, run through `relay`
    until its checkpoint is past them: (the events, what the topic holds of them)."""
    user = uuid.uuid4()
    events = [user_event(user) for _ in range(count)]
    for start in range(0, len(events), per_commit):
        await append(outbox, events[start : start + per_commit])
    async with running(relay.run):
        found = await read_topic(infra, IDENTITY, {e.event_id for e in events}, timeout=60)
        await eventually(lambda: _checkpoint_is(outbox, len(events)))
    return events, found


class _FailsOnce(Relay):
    """A relay whose third send fails once, with the two batches before it on their way."""

    sends = 0
    saved: list[int]

    async def _send(self, producer: Any, batch: Any) -> list[Any]:
        self.sends += 1
        if self.sends == 3:
            raise KafkaConnectionError("the broker went away mid-window (a test's fault)")
        return await super()._send(producer, batch)

    async def _save(self) -> None:
        self.saved = [*getattr(self, "saved", []), self.state.checkpoint.position]
        await super()._save()


async def test_a_failure_with_batches_on_their_way_loses_nothing_and_keeps_the_order(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    # Batches 1 and 2 are sent, not yet settled, when sending batch 3 fails: the checkpoint
    # has not moved past them, so the relay sends again from it. Events 1..1000 may arrive
    # twice (consumers dedupe by event id); none is missing and the first copies are in order.
    relay = identity_relay(_FailsOnce, outbox, infra, database_url)
    events, found = await _relay_all(relay, outbox, infra, 3 * BATCH + 11, per_commit=500)
    first_copies = list(dict.fromkeys(e.event_id for _, e in found))
    assert first_copies == [e.event_id for e in events]
    # The checkpoint only ever moved forward, batch by batch, never past the failed send.
    assert relay.saved == sorted(relay.saved)
    assert relay.saved[0] in (BATCH, 2 * BATCH)  # settled after the failure, from the start
    assert relay.saved[-1] == len(events)


async def _checkpoint_is(outbox: Outbox, position: int) -> bool:
    value = await outbox.pool.fetchval(
        "SELECT checkpoint FROM relay_state WHERE log = $1", outbox.name
    )
    return value is not None and value >= position


async def test_a_second_relay_waits_until_the_first_lets_go(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    first = Relay(outbox, outbox.pool, settings, [IDENTITY])
    second = Relay(outbox, outbox.pool, settings, [IDENTITY])
    task = asyncio.create_task(first.run())
    await eventually(lambda: _true(first.is_leader))
    async with running(second.run):
        await asyncio.sleep(1.5)
        assert first.is_leader
        assert not second.is_leader
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await eventually(lambda: _true(second.is_leader))
        event = user_event()
        await append(outbox, [event])
        await read_topic(infra, IDENTITY, {event.event_id})


async def _true(value: bool) -> bool:
    return value


class _BrokerAway(Relay):
    """A relay whose every publish fails, as with the broker gone (its producer started)."""

    async def _send(self, producer: object, batch: object) -> list[Any]:  # noqa: ARG002
        raise KafkaConnectionError("the broker is away (a test's fault)")

    async def _check_loss(self, probe: object) -> None:  # noqa: ARG002
        return None


async def test_the_lag_gauge_rises_while_the_broker_is_away(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    # On-call looks at relay_lag_events exactly when publishing fails: it must not freeze at
    # its last value (it was set only once the relay had caught up).
    relay = identity_relay(_BrokerAway, outbox, infra, database_url)

    def lag() -> float | None:
        return metrics.REGISTRY.get_sample_value("relay_lag_events", {"log": outbox.name})

    async with running(relay.run):
        await append(outbox, [user_event() for _ in range(3)])
        await eventually(lambda: _true(lag() == 3))
        await append(outbox, [user_event() for _ in range(4)])
        await eventually(lambda: _true(lag() == 7))


async def test_redelivered_event_changes_nothing(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    """The same event published three times (as after a relay crash) is applied once."""
    pool = outbox.pool
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    handler = await make_sink(pool)
    event, marker = user_event(), user_event()
    # one key: one partition, so the marker arrives after every copy
    copies = [e.to_json_bytes() for e in (event, event, event, marker)]
    await produce(infra, IDENTITY, copies, key=b"same-aggregate")
    consumer = Consumer(f"test-{uuid.uuid4().hex[:8]}", [IDENTITY], pool, settings, handler)
    async with running(consumer.run):
        await eventually(lambda: count_of(pool, marker.event_id, 1))
    assert await pool.fetchval("SELECT count(*) FROM sink WHERE event_id = $1", event.event_id) == 1


async def test_undecodable_message_is_dead_lettered_and_the_stream_goes_on(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    handler = await make_sink(pool)
    marker = user_event()
    group = f"test-{uuid.uuid4().hex[:8]}"
    await produce(infra, IDENTITY, [b"{not json", marker.to_json_bytes()], key=b"x")
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [IDENTITY], pool, settings, handler).run):
        await eventually(lambda: count_of(pool, marker.event_id, 1))
    assert await pool.fetchval("SELECT count(*) FROM dead_letters WHERE consumer = $1", group) >= 1


@pytest.mark.parametrize(
    "away",
    [
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_an_event_met_while_the_database_restarts_is_applied_not_dead_lettered(
    outbox: Outbox, infra: Infra, database_url: str, away: Exception
) -> None:
    """Seen under the fault run: PostgreSQL recovering from kill -9 answers 57P03 for a while,
    and a consumer that took it for a handler failure dead-lettered good events for ever."""
    pool = outbox.pool
    sink = await make_sink(pool)
    failures = iter(range(MAX_ATTEMPTS + 2))  # more than a real handler failure may take

    async def restarting_database(conn: Conn, env: Envelope) -> None:
        if next(failures, None) is not None:
            raise away
        await sink(conn, env)

    event = user_event()
    group = f"test-{uuid.uuid4().hex[:8]}"
    topic = f"test.{group}"  # its own: the shared topics hold other tests' garbage on purpose
    await produce(infra, topic, [event.to_json_bytes()], key=b"y")
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    async with running(Consumer(group, [topic], pool, settings, restarting_database).run):
        await eventually(lambda: count_of(pool, event.event_id, 1))
    assert await pool.fetchval("SELECT count(*) FROM dead_letters WHERE consumer = $1", group) == 0

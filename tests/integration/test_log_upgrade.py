"""The upgrade to appends without the log's lock (issue 17): a log and a relay checkpoint
written by the released code are followed on from that checkpoint, nothing skipped, nothing
published twice, no republish from the start.

The released code's writes are spelled out here as it ran them (the log's advisory lock, then
one INSERT per event drawing from the sequence), on a schema migrated by the released steps
only; then the new steps are applied and the new code appends, a late commit included.
"""

from __future__ import annotations

import uuid

import asyncpg

from contracts.envelope import Envelope
from contracts.topics import IDENTITY, partition_key, topic_for
from gateway.bootstrap import MIGRATIONS as GATEWAY_MIGRATIONS
from plumbing import db
from plumbing.db import lock_key
from plumbing.ordered_log import Cursor, LogSource, Outbox
from plumbing.relay import Relay
from plumbing.settings import ServiceSettings
from services.orders.adapters.postgres_event_store import PostgresEventStore
from services.orders.bootstrap import MIGRATIONS as ORDERS_MIGRATIONS
from tests.factories import envelope
from tests.integration.helpers import append, user_event

# The steps each service had released before issue 17 are all but these last ones.
NEW_STEPS = 2


async def _released_event_append(pool: asyncpg.Pool, schema: str, stream: str, n: int) -> None:
    """What PostgresEventStore.append_in did before issue 17."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"log:{schema}.events"))
        for version in range(1, n + 1):
            event = envelope(stream).model_copy(update={"stream_version": version})
            await conn.execute(
                "INSERT INTO events (position, event_id, stream_id, stream_version, envelope) "
                "VALUES (nextval('events_position_seq'), $1, $2, $3, $4)",
                event.event_id,
                stream,
                version,
                event.model_dump(mode="json"),
            )


async def _released_outbox_append(pool: asyncpg.Pool, schema: str, env: Envelope) -> None:
    """What Outbox.append did before issue 17."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"log:{schema}.outbox"))
        await conn.execute(
            "INSERT INTO outbox (position, event_id, topic, key, envelope) "
            "VALUES (nextval('outbox_position_seq'), $1, $2, $3, $4)",
            env.event_id,
            topic_for(env.type),
            partition_key(env.stream_id),
            env.model_dump(mode="json"),
        )


async def _released_checkpoint(pool: asyncpg.Pool, log: str, position: int) -> None:
    """The relay_state row the released relay kept: a bare position."""
    await pool.execute(
        "INSERT INTO relay_state (log, checkpoint, epoch, offsets) VALUES ($1, $2, 3, $3)",
        log,
        position,
        {"orders:0": 7},
    )


async def _relay_reads(relay: Relay, source: LogSource) -> list[bytes]:
    """The relay's loop minus the broker: load the stored state, read after the checkpoint
    in small batches, store each batch's last cursor as _publish does, until nothing is left."""
    relay.state = await relay._load()
    published: list[bytes] = []
    while batch := await source.read_after(relay.state.checkpoint, 3):
        published += [r.value for r in batch]
        relay.state.checkpoint = batch[-1].cursor
        await relay._save()
        relay.state = await relay._load()  # what a restarted relay would go on from
    return published


def _relay(source: LogSource, pool: asyncpg.Pool, schema: str) -> Relay:
    settings = ServiceSettings(service_name=schema, database_url="postgresql://unused")
    return Relay(source, pool, settings, [IDENTITY])


async def test_the_orders_log_goes_on_from_a_released_checkpoint(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    pool, schema = schema_pool
    await db.migrate(pool, schema, ORDERS_MIGRATIONS[:-NEW_STEPS])
    old = [f"order-{uuid.uuid4()}" for _ in range(4)]
    for stream in old:
        await _released_event_append(pool, schema, stream, 2)
    store = PostgresEventStore(pool, schema)
    await _released_checkpoint(pool, store.name, 5)  # published 5 of the 8, mid-stream

    assert await db.migrate(pool, schema, ORDERS_MIGRATIONS) == list(
        range(len(ORDERS_MIGRATIONS) - NEW_STEPS + 1, len(ORDERS_MIGRATIONS) + 1)
    )
    relay = _relay(store, pool, schema)
    assert (await relay._load()).checkpoint == Cursor(0, 5)
    # New appends: one continues an old stream, one commits while an earlier one is open.
    await store.append(old[3], [envelope(old[3])], expected_version=2)
    late, fast = f"order-{uuid.uuid4()}", f"order-{uuid.uuid4()}"
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await store.append_in(conn, late, [envelope(late)], expected_version=0)
        await store.append(fast, [envelope(fast)], expected_version=0)
        before_commit = await _relay_reads(relay, store)
        await tx.commit()
    after_commit = await _relay_reads(relay, store)

    published = [Envelope.model_validate_json(v) for v in before_commit + after_commit]
    everything = await pool.fetch("SELECT event_id FROM events ORDER BY position")
    expected = [r["event_id"] for r in everything[5:8]]  # the released rows not yet published
    assert [e.event_id for e in published[:3]] == expected
    new = [(e.stream_id, e.stream_version) for e in published[3:]]
    assert sorted(new) == sorted([(old[3], 3), (late, 1), (fast, 1)])
    assert len(published) == len(everything) - 5  # nothing before the checkpoint, none twice
    state = await relay._load()
    assert (state.epoch, state.offsets) == (3, {"orders:0": 7})  # no republish began


async def test_an_outbox_goes_on_from_a_released_checkpoint(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    pool, schema = schema_pool
    await db.migrate(pool, schema, GATEWAY_MIGRATIONS[:-NEW_STEPS])
    user = uuid.uuid4()
    old = [user_event(user).model_copy(update={"stream_version": v}) for v in range(1, 7)]
    for env in old:
        await _released_outbox_append(pool, schema, env)
    outbox = Outbox(pool, schema)
    await _released_checkpoint(pool, outbox.name, 4)

    await db.migrate(pool, schema, GATEWAY_MIGRATIONS)
    relay = _relay(outbox, pool, schema)
    new = [user_event(user).model_copy(update={"stream_version": v}) for v in range(7, 10)]
    for env in new:
        await append(outbox, [env])
    published = [Envelope.model_validate_json(v) for v in await _relay_reads(relay, outbox)]

    # The released rows after the checkpoint, then the new ones: the stream's order, no gap.
    assert [e.event_id for e in published] == [e.event_id for e in old[4:] + new]
    state = await relay._load()
    assert state.checkpoint.transaction_order > 0  # now a cursor of the new code's rows
    assert state.epoch == 3  # no republish began

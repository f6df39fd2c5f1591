"""The session's broker keeps memory only (`make run`'s keeps its log: test_durable_broker.py).
When it restarts empty, the relay republishes its log and the consumer starts over from the
earliest offset; its inbox absorbs the duplicates."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from contracts.topics import IDENTITY
from plumbing.consumer import Consumer
from plumbing.ordered_log import Outbox
from plumbing.relay import Relay
from tests.conftest import Infra
from tests.integration.helpers import (
    append,
    eventually,
    make_sink,
    running,
    settings_for,
    user_event,
)


async def test_a_broker_restart_loses_no_event(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    if infra.broker is None:
        pytest.skip("KAFKA_BOOTSTRAP points at a broker this test may not restart")
    pool = outbox.pool
    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    handler = await make_sink(pool)
    relay = Relay(outbox, pool, settings, [IDENTITY])
    consumer = Consumer(f"restart-{uuid.uuid4().hex[:8]}", [IDENTITY], pool, settings, handler)
    before = [user_event() for _ in range(20)]
    just_before = [user_event() for _ in range(5)]
    during = [user_event() for _ in range(5)]
    after = [user_event() for _ in range(5)]

    async def arrived(events: list) -> bool:  # type: ignore[type-arg]
        ids = [e.event_id for e in events]
        n = await pool.fetchval(
            "SELECT count(DISTINCT event_id) FROM sink WHERE event_id = ANY($1)", ids
        )
        return bool(n == len(ids))

    async with running(relay.run, consumer.run):
        await append(outbox, before)
        await eventually(lambda: arrived(before))
        await append(outbox, just_before)
        # Stop the broker, write while it is down, then bring it back empty.
        await asyncio.to_thread(infra.broker.stop)
        await append(outbox, during)
        await asyncio.sleep(1)
        await asyncio.to_thread(infra.broker.start)
        await append(outbox, after)
        everything = before + just_before + during + after
        try:
            await eventually(lambda: arrived(everything), timeout=60)
        except AssertionError:
            groups = {"before": before, "just_before": just_before, "during": during}
            for name, group in {**groups, "after": after}.items():
                print(name, "arrived:", await arrived(group))  # which group went missing
            print(await pool.fetch("SELECT checkpoint, epoch, offsets FROM relay_state"))
            raise
    # each event applied exactly once, however often it was delivered
    dupes = await pool.fetchval(
        "SELECT count(*) FROM (SELECT event_id FROM sink GROUP BY event_id HAVING count(*) > 1) d"
    )
    assert dupes == 0
    assert await pool.fetchval("SELECT epoch FROM relay_state WHERE log = $1", outbox.name) >= 1

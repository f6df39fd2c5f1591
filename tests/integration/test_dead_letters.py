"""Dead letters and their replay (plumbing/dead_letters.py) over real PostgreSQL and the real
broker: an event its handler refused is set aside while the stream goes on; once the bug is
fixed, the operator's `replay` has the running consumer apply it — once, through the inbox —
and what cannot be replayed keeps its row with the reason."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from contracts.envelope import Envelope
from plumbing import dead_letters
from plumbing.consumer import Consumer
from plumbing.db import Conn
from plumbing.ordered_log import Outbox
from tests.conftest import Infra
from tests.integration.helpers import (
    count_of,
    eventually,
    make_sink,
    produce,
    running,
    settings_for,
    user_event,
)


async def _dead(pool: object, group: str) -> list[dict[str, object]]:
    async with pool.acquire() as conn:  # type: ignore[attr-defined]
        return [r for r in await dead_letters.listed(conn, include_replayed=True)
                if r["consumer"] == group]  # fmt: skip


def _cli(capsys: pytest.CaptureFixture[str], schema: str, *args: str) -> str:
    assert dead_letters.main(["--schema", schema, *args]) == 0
    return capsys.readouterr().out


async def test_a_refused_event_is_replayed_once_the_bug_is_fixed(
    outbox: Outbox,
    infra: Infra,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pool = outbox.pool
    schema = outbox.name.split(".")[0]
    monkeypatch.setenv("DATABASE_URL", database_url)
    sink = await make_sink(pool)
    bad, marker, applied_meanwhile = user_event(), user_event(), user_event()
    broken = {bad.event_id, applied_meanwhile.event_id}

    async def handler(conn: Conn, env: Envelope) -> None:
        if env.event_id in broken:
            raise RuntimeError("a bug in this release")
        await sink(conn, env)

    group = f"test-{uuid.uuid4().hex[:8]}"
    topic = f"test.{group}"
    values = [bad.to_json_bytes(), applied_meanwhile.to_json_bytes(), b"{garbage",
              marker.to_json_bytes()]  # fmt: skip
    await produce(infra, topic, values, key=b"k")
    settings = settings_for(infra, database_url, schema)
    consumer = Consumer(group, [topic], pool, settings, handler)
    async with running(consumer.run):
        await eventually(lambda: count_of(pool, marker.event_id, 1))  # the stream went on
        letters = await _dead(pool, group)
        assert [r["error"] for r in letters][:2] == ["RuntimeError('a bug in this release')"] * 2
        assert str(letters[2]["error"]).startswith("undecodable")
        listing = await asyncio.to_thread(_cli, capsys, schema, "list")
        assert "3 dead letter(s)" in listing
        assert "[waiting]" in listing

        # The fix is rolled out; one of the two was applied meanwhile by other means (a
        # redelivery): its replay must not apply it twice.
        broken.clear()
        async with pool.acquire() as conn, conn.transaction():
            from plumbing.inbox import claim  # noqa: PLC0415

            assert await claim(conn, group, applied_meanwhile.event_id)
        ids = [int(str(r["id"])) for r in letters]
        shown = await asyncio.to_thread(_cli, capsys, schema, "show", str(ids[0]))
        assert str(bad.event_id) in shown
        replay = await asyncio.to_thread(_cli, capsys, schema, "replay", "--all")
        assert replay.startswith("3 marked for replay")

        async def settled() -> bool:
            rows = await _dead(pool, group)
            return all(r["replayed_at"] or r["replay_error"] for r in rows)

        await eventually(settled)
    assert await count_of(pool, bad.event_id, 1)
    assert await count_of(pool, applied_meanwhile.event_id, 0)  # it was, elsewhere: once
    first, meanwhile, garbage = await _dead(pool, group)
    assert first["replayed_at"] is not None
    assert meanwhile["replayed_at"] is not None
    # Bytes that are no event stay, with why, and are no longer asked for.
    assert garbage["replayed_at"] is None
    assert garbage["replay_requested_at"] is None
    assert str(garbage["replay_error"]).startswith("undecodable")
    listing = await asyncio.to_thread(_cli, capsys, schema, "list")
    assert "1 dead letter(s)" in listing
    assert "replay failed: undecodable" in listing


async def test_a_replay_that_fails_again_keeps_its_row_with_the_new_error(
    outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    event = user_event()

    async def still_broken(conn: Conn, env: Envelope) -> None:
        raise ValueError("still broken")

    group = f"test-{uuid.uuid4().hex[:8]}"
    consumer = Consumer(
        group, [f"test.{group}"], pool, settings_for(infra, database_url, "x"), still_broken
    )
    async with pool.acquire() as conn:
        await conn.execute(
            'INSERT INTO dead_letters (consumer, topic, partition, "offset", payload, error) '
            "VALUES ($1, 't', 0, 7, $2, 'first')",
            group,
            event.to_json_bytes(),
        )
        assert len(await dead_letters.request_replay(conn, None)) >= 1
    assert await consumer.replay_dead_letters() == 0
    (row,) = await _dead(pool, group)
    assert row["replayed_at"] is None
    assert row["replay_requested_at"] is None
    assert row["replay_error"] == "ValueError('still broken')"
    assert row["error"] == "first"  # the original cause is kept
    assert await consumer.replay_dead_letters() == 0  # not asked again: nothing happens

"""A pooled connection is replaced after QUERIES_PER_CONNECTION queries: a PostgreSQL backend
keeps its catalog caches and prepared plans until it exits, so one kept for ever grows with
everything it served (the soak's backends' own memory)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from plumbing import db


async def test_a_connection_is_replaced_after_its_queries(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "QUERIES_PER_CONNECTION", 5)
    pool = await db.create_pool(database_url, f"t_{uuid.uuid4().hex[:12]}", max_size=1)
    try:
        pids = [await pool.fetchval("SELECT pg_backend_pid()") for _ in range(12)]
        # One connection at a time (max_size 1), each serving at most five queries (the
        # connection's own set-up counts among them), then a new backend.
        runs = [pids.count(pid) for pid in dict.fromkeys(pids)]
        assert len(runs) >= 3
        assert max(runs) <= 5
        assert pids == sorted(pids, key=pids.index)  # each backend's queries in one run
        # Never more than one: replaced, not added.
        assert pool.get_size() <= 1
    finally:
        await pool.close()


async def test_a_pool_opens_all_its_connections_and_recycling_keeps_them_all_open(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # asyncpg reopens a recycled slot only when an acquire reaches it, and it hands out the
    # last released connection first: the count of backends wandered with the load through
    # the soak's hour. A fixed-size pool, refilled at once, holds it.
    monkeypatch.setattr(db, "QUERIES_PER_CONNECTION", 5)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pool = await db.create_pool(database_url, schema, max_size=4)
    watcher = await asyncpg.connect(database_url)

    async def backends() -> set[int]:
        rows = await watcher.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", schema
        )
        return {r["pid"] for r in rows}

    async def settled() -> set[int]:
        for _ in range(100):
            now = await backends()
            if len(now) == 4:
                return now
            await asyncio.sleep(0.05)
        return now

    try:
        first = await backends()
        assert len(first) == 4  # all open from the start, before any load
        # One query at a time, then bursts of four: every slot is recycled at least once.
        for _ in range(3):
            for _ in range(20):
                await pool.fetchval("SELECT 1")
            async with asyncio.TaskGroup() as group:
                for _ in range(4):
                    group.create_task(pool.fetchval("SELECT pg_sleep(0.02)"))
        later = await settled()
        assert len(later) == 4, "recycled connections were not reopened"
        assert not later & first  # every one recycled: other backends, as many
        assert pool.get_size() == 4
    finally:
        await watcher.close()
        await pool.close()


async def test_a_closing_pool_reopens_nothing(database_url: str) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pool = await db.create_pool(database_url, schema, max_size=2)
    await pool.fetchval("SELECT 1")
    await pool.close()
    await asyncio.sleep(0.2)  # any reopening would be under way by now
    watcher = await asyncpg.connect(database_url)
    try:
        left = await watcher.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", schema
        )
    finally:
        await watcher.close()
    assert left == 0

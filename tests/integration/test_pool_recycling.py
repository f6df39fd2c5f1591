"""A pooled connection is replaced after QUERIES_PER_CONNECTION queries: a PostgreSQL backend
keeps its catalog caches and prepared plans until it exits, so one kept for ever grows with
everything it served (the soak's backends' own memory)."""

from __future__ import annotations

import uuid

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
        # Never more than one: replaced (when next needed), not added.
        assert pool.get_size() <= 1
    finally:
        await pool.close()

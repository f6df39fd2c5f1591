"""Per-stream version counters for the envelopes scheduling writes (visit-, task-, rule-,
timer- streams). Drawn inside the append's transaction, so a rollback gives the number back."""

from __future__ import annotations

from plumbing.db import Conn


async def next_version(conn: Conn, stream_id: str) -> int:
    # The row lock serializes writers of one stream; the outbox lock serializes all anyway.
    value = await conn.fetchval(
        "INSERT INTO streams (stream_id, version) VALUES ($1, 1) ON CONFLICT (stream_id) "
        "DO UPDATE SET version = streams.version + 1 RETURNING version",
        stream_id,
    )
    return int(value)

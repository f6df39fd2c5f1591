"""The Idempotency-Key a task was completed with (migration step 9; steps are append-only).

A table of its own rather than columns on `tasks`: only completions sent with a key have a
row, and the task's shape (its events, its API) does not change."""

from __future__ import annotations

from uuid import UUID

from plumbing.db import Conn
from services.scheduling.domain.completion import KeyedCompletion

COMPLETION_KEYS_DDL = """
CREATE TABLE IF NOT EXISTS task_completion_keys (
    task_id      uuid PRIMARY KEY,
    idem_key     text NOT NULL,
    completed_by uuid NOT NULL,
    fingerprint  text NOT NULL
);
"""


async def get(conn: Conn, task_id: UUID) -> KeyedCompletion | None:
    row = await conn.fetchrow(
        "SELECT idem_key, completed_by, fingerprint FROM task_completion_keys WHERE task_id = $1",
        task_id,
    )
    if row is None:
        return None
    return KeyedCompletion(row["idem_key"], row["completed_by"], row["fingerprint"])


async def put(conn: Conn, task_id: UUID, keyed: KeyedCompletion) -> None:
    await conn.execute(
        "INSERT INTO task_completion_keys (task_id, idem_key, completed_by, fingerprint) "
        "VALUES ($1, $2, $3, $4)",
        task_id,
        keyed.key,
        keyed.completed_by,
        keyed.fingerprint,
    )

"""Import jobs (issue 20) in the orders database, and an in-memory fake for tests.

Progress is written on its own connection, committed at once: the import's transaction is
still open meanwhile, and its rows are not visible until it commits (or never, if it fails).
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg

IMPORTS_DDL = """
CREATE TABLE IF NOT EXISTS imports (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,
    dry_run     boolean NOT NULL,
    status      text NOT NULL,
    done        int NOT NULL DEFAULT 0,
    total       int NOT NULL,
    report      jsonb,
    error       jsonb,
    started_by  text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
"""


def _plain(value: dict[str, Any]) -> Any:
    """JSON-ready (the pool's jsonb codec dumps what it is given: no dates, no Decimals)."""
    return json.loads(json.dumps(value, default=str))


class PostgresImportJobs:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def start(self, job_id: str, kind: str, dry_run: bool, total: int, by: str) -> None:
        await self.pool.execute(
            "INSERT INTO imports (id, kind, dry_run, status, total, started_by) "
            "VALUES ($1::uuid, $2, $3, 'running', $4, $5)",
            job_id,
            kind,
            dry_run,
            total,
            by,
        )

    async def progress(self, job_id: str, done: int) -> None:
        await self.pool.execute("UPDATE imports SET done = $2 WHERE id = $1::uuid", job_id, done)

    async def finish(self, job_id: str, report: dict[str, Any]) -> None:
        await self.pool.execute(
            "UPDATE imports SET status = 'done', done = total, report = $2::jsonb, "
            "finished_at = now() WHERE id = $1::uuid",
            job_id,
            _plain(report),
        )

    async def fail(self, job_id: str, error: dict[str, Any]) -> None:
        await self.pool.execute(
            "UPDATE imports SET status = 'failed', error = $2::jsonb, finished_at = now() "
            "WHERE id = $1::uuid",
            job_id,
            _plain(error),
        )

    async def get(self, job_id: str) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(
            "SELECT id::text AS id, kind, dry_run, status, done, total, report, error, "
            "started_at, finished_at FROM imports WHERE id = $1::uuid",
            job_id,
        )
        return None if row is None else dict(row)


class MemoryImportJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.seen: list[int] = []  # every progress written, for tests

    async def start(self, job_id: str, kind: str, dry_run: bool, total: int, by: str) -> None:
        self.jobs[job_id] = {
            "id": job_id,
            "kind": kind,
            "dry_run": dry_run,
            "status": "running",
            "done": 0,
            "total": total,
            "report": None,
            "error": None,
            "started_by": by,
        }

    async def progress(self, job_id: str, done: int) -> None:
        self.jobs[job_id]["done"] = done
        self.seen.append(done)

    async def finish(self, job_id: str, report: dict[str, Any]) -> None:
        job = self.jobs[job_id]
        job.update(status="done", done=job["total"], report=report)

    async def fail(self, job_id: str, error: dict[str, Any]) -> None:
        self.jobs[job_id].update(status="failed", error=error)

    async def get(self, job_id: str) -> dict[str, Any] | None:
        return self.jobs.get(job_id)

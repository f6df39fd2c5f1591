"""Import jobs (issue 20) in the orders database, and an in-memory fake for tests.

Progress is written on its own connection, committed at once: the import's transaction is
still open meanwhile, and its rows are not visible until it commits (or never, if it fails).

A running job beats (`beat`) every few seconds. One whose process died (kill -9, a restart
mid-import) stops beating; PostgreSQL rolled its transaction back, so nothing of it is kept,
and the first read after STALE_S says so: the job is `interrupted`, for good. A timestamp
rather than "the jobs this process owns" because any replica may be asked about any job.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

STALE_S = 30.0  # no beat for this long: the job's process is gone (it beats every 5 s)
INTERRUPTED = {
    "code": "import_interrupted",
    "detail": "the import stopped before it finished (its process ended); nothing of it was "
    "kept: run it again",
}

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
# The second step: a running job's last sign of life (see the module's docstring).
IMPORTS_HEARTBEAT_DDL = """
ALTER TABLE imports ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX IF NOT EXISTS imports_recent ON imports (started_at DESC);
"""
COLUMNS = (
    "id::text AS id, kind, dry_run, status, done, total, report, error, started_by, "
    "started_at, finished_at"
)


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
        await self.pool.execute(
            "UPDATE imports SET done = $2, heartbeat_at = now() WHERE id = $1::uuid", job_id, done
        )

    async def beat(self, job_id: str) -> None:
        await self.pool.execute(
            "UPDATE imports SET heartbeat_at = now() WHERE id = $1::uuid", job_id
        )

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
        await self._settle_stale()
        row = await self.pool.fetchrow(f"SELECT {COLUMNS} FROM imports WHERE id = $1::uuid", job_id)
        return None if row is None else dict(row)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        """The newest first, without their reports (GET /imports/{id} has those)."""
        await self._settle_stale()
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS.replace('report, ', '')} FROM imports "
            "ORDER BY started_at DESC LIMIT $1",
            limit,
        )
        return [dict(r) for r in rows]

    async def _settle_stale(self) -> None:
        # The database's clock on both sides of the comparison: replicas' clocks may differ.
        await self.pool.execute(
            "UPDATE imports SET status = 'interrupted', error = $1::jsonb, finished_at = now() "
            "WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $2)",
            INTERRUPTED,
            STALE_S,
        )


def _now() -> datetime:
    return datetime.now(UTC)


class MemoryImportJobs:
    def __init__(self, clock: Any = _now) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.beats: dict[str, datetime] = {}
        self.seen: list[int] = []  # every progress written, for tests
        self.clock = clock

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
            "started_at": self.clock(),
            "finished_at": None,
        }
        self.beats[job_id] = self.clock()

    async def progress(self, job_id: str, done: int) -> None:
        self.jobs[job_id]["done"] = done
        self.seen.append(done)
        await self.beat(job_id)

    async def beat(self, job_id: str) -> None:
        self.beats[job_id] = self.clock()

    async def finish(self, job_id: str, report: dict[str, Any]) -> None:
        job = self.jobs[job_id]
        job.update(status="done", done=job["total"], report=report, finished_at=self.clock())

    async def fail(self, job_id: str, error: dict[str, Any]) -> None:
        self.jobs[job_id].update(status="failed", error=error, finished_at=self.clock())

    async def get(self, job_id: str) -> dict[str, Any] | None:
        self._settle_stale()
        return self.jobs.get(job_id)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        self._settle_stale()
        newest = sorted(self.jobs.values(), key=lambda j: j["started_at"], reverse=True)
        return [{k: v for k, v in j.items() if k != "report"} for j in newest[:limit]]

    def _settle_stale(self) -> None:
        stale = self.clock() - timedelta(seconds=STALE_S)
        for job_id, job in self.jobs.items():
            if job["status"] == "running" and self.beats[job_id] < stale:
                job.update(status="interrupted", error=INTERRUPTED, finished_at=self.clock())

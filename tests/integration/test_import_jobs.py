"""The import-jobs port (services/orders/application/ports.py ImportJobs): PostgreSQL and the
in-memory fake held to one contract — progress, the end, the newest first without reports,
and a job whose process stopped beating read as `interrupted`, for good, with a reason.

Each backend says how to make a job's last beat old: the fake's clock moves; in PostgreSQL
(whose own clock decides) the beat is set back, as if the process had died 31 s ago."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from plumbing import db
from services.orders.adapters.import_jobs import (
    IMPORTS_DDL,
    IMPORTS_HEARTBEAT_DDL,
    STALE_S,
    MemoryImportJobs,
    PostgresImportJobs,
)
from services.orders.application.ports import ImportJobs

Age = Callable[[str, float], Awaitable[None]]  # make this job's last beat so many seconds old


async def contract(jobs: ImportJobs, age: Age) -> None:
    first, second, dead = (str(uuid.uuid4()) for _ in range(3))
    await jobs.start(first, "bitrix24", False, 40, "admin")
    await jobs.progress(first, 20)
    job = await jobs.get(first)
    assert job is not None
    assert (job["status"], job["done"], job["total"], job["started_by"]) == (
        "running",
        20,
        40,
        "admin",
    )
    await jobs.finish(first, {"id": first, "created": 40})
    done = await jobs.get(first)
    assert done is not None
    assert (done["status"], done["done"], done["report"]) == (
        "done",
        40,
        {"id": first, "created": 40},
    )
    assert done["finished_at"] is not None

    await asyncio.sleep(0.01)  # started_at orders them
    await jobs.start(second, "bitrix24", True, 5, "boss")
    await jobs.beat(second)
    await asyncio.sleep(0.01)
    await jobs.start(dead, "bitrix24", False, 300, "admin")
    await jobs.progress(dead, 60)

    # A beat within STALE_S keeps a job running; none for longer and it is interrupted.
    await age(second, STALE_S - 10)
    await age(dead, STALE_S + 1)
    still = await jobs.get(second)
    assert still is not None
    assert still["status"] == "running"
    gone = await jobs.get(dead)
    assert gone is not None
    assert gone["status"] == "interrupted"
    assert gone["error"]["code"] == "import_interrupted"
    assert "nothing of it was kept" in gone["error"]["detail"]
    assert gone["done"] == 60
    assert gone["finished_at"] is not None

    newest = await jobs.recent(10)
    assert [j["id"] for j in newest] == [dead, second, first]
    assert all("report" not in j for j in newest)
    assert [j["status"] for j in newest] == ["interrupted", "running", "done"]
    assert [j["id"] for j in await jobs.recent(1)] == [dead]
    assert await jobs.get(str(uuid.uuid4())) is None


async def test_the_fake_keeps_the_contract() -> None:
    now = [datetime(2026, 12, 1, 9, tzinfo=UTC)]

    def clock() -> datetime:
        now[0] += timedelta(milliseconds=1)
        return now[0]

    fake = MemoryImportJobs(clock)

    async def age(job_id: str, seconds: float) -> None:
        fake.beats[job_id] = now[0] - timedelta(seconds=seconds)

    await contract(fake, age)


async def test_postgres_keeps_the_contract(schema_pool: tuple[asyncpg.Pool, str]) -> None:
    pool, schema = schema_pool
    await db.migrate(pool, schema, [IMPORTS_DDL, IMPORTS_HEARTBEAT_DDL])

    async def age(job_id: str, seconds: float) -> None:
        await pool.execute(
            "UPDATE imports SET heartbeat_at = now() - make_interval(secs => $2) "
            "WHERE id = $1::uuid",
            job_id,
            seconds,
        )

    await contract(PostgresImportJobs(pool), age)


async def test_a_database_made_before_the_heartbeat_takes_the_new_step(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    """A job row written by the previous release (no heartbeat column) survives the step and
    reads as it was; an old 'running' row is then settled like any other whose beat is old."""
    pool, schema = schema_pool
    await db.migrate(pool, schema, [IMPORTS_DDL])
    old = str(uuid.uuid4())
    await pool.execute(
        "INSERT INTO imports (id, kind, dry_run, status, total, started_by, report) "
        "VALUES ($1::uuid, 'bitrix24', false, 'done', 3, 'admin', $2::jsonb)",
        old,
        {"created": 3},
    )
    await db.migrate(pool, schema, [IMPORTS_DDL, IMPORTS_HEARTBEAT_DDL])
    jobs = PostgresImportJobs(pool)
    job = await jobs.get(old)
    assert job is not None
    assert (job["status"], job["report"]) == ("done", {"created": 3})

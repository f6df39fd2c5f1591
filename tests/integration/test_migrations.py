"""The schema steps (plumbing/db.py `migrate`, deploy/migrate.py): checksummed, so an edited
step is refused; adopted on a database from before the checksums; a step that would wait
on the running release's lock fails fast and applies nothing; a pod that may not migrate
waits for the Job; and the Job applies every service's steps once, with each one's login."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from deploy import migrate as job
from plumbing import db

A = "CREATE TABLE things (id int PRIMARY KEY);"
B = "ALTER TABLE things ADD COLUMN name text;"
C = "CREATE INDEX things_name ON things (name);"


async def test_steps_apply_once_with_their_checksums_and_an_edit_is_refused(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    pool, schema = schema_pool
    assert await db.migrate(pool, schema, [A, B]) == [1, 2]
    assert await db.migrate(pool, schema, [A, B]) == []
    assert await db.migrate(pool, schema, [A, B, C]) == [3]
    sums = await pool.fetch("SELECT step, checksum FROM schema_migrations ORDER BY step")
    assert [(r["step"], r["checksum"]) for r in sums] == [
        (1, db.checksum(A)),
        (2, db.checksum(B)),
        (3, db.checksum(C)),
    ]
    edited = B.replace("text", "varchar(80)")
    with pytest.raises(db.MigrationEdited, match="step 2 was changed"):
        await db.migrate(pool, schema, [A, edited, C, "SELECT 1;"])
    assert await pool.fetchval("SELECT max(step) FROM schema_migrations") == 3  # nothing ran


async def test_a_database_from_before_the_checksums_adopts_them(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    pool, schema = schema_pool
    async with pool.acquire() as conn:  # as the previous release left it: no checksum column
        await conn.execute(
            "CREATE TABLE schema_migrations "
            "(step int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        await conn.execute(A)
        await conn.execute("INSERT INTO schema_migrations (step) VALUES (1)")
    assert await db.migrate(pool, schema, [A, B]) == [2]
    stored = await pool.fetchval("SELECT checksum FROM schema_migrations WHERE step = 1")
    assert stored == db.checksum(A)


async def test_a_step_waiting_on_the_running_releases_lock_fails_fast_and_applies_nothing(
    schema_pool: tuple[asyncpg.Pool, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool, schema = schema_pool
    await db.migrate(pool, schema, [A])
    monkeypatch.setattr(db, "LOCK_TIMEOUT", "300ms")
    async with pool.acquire() as busy, busy.transaction():
        # The old release reading the table all along (ACCESS SHARE, as any SELECT holds).
        await busy.execute("LOCK TABLE things IN ACCESS SHARE MODE")
        started = asyncio.get_running_loop().time()
        with pytest.raises(asyncpg.LockNotAvailableError):
            await db.migrate(pool, schema, [A, "CREATE TABLE more (id int);", B])
        assert asyncio.get_running_loop().time() - started < 5
    assert await pool.fetchval("SELECT to_regclass('more')") is None  # all or nothing
    assert await db.migrate(pool, schema, [A, "CREATE TABLE more (id int);", B]) == [2, 3]


async def test_a_pod_that_may_not_migrate_says_the_schema_is_behind(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    pool, schema = schema_pool
    await db.migrate(pool, schema, [A])
    with pytest.raises(db.SchemaBehind, match=r"steps \[2\] not applied"):
        await db.migrate(pool, schema, [A, B], apply=False)
    assert await db.migrate(pool, schema, [A], apply=False) == []


async def test_the_job_applies_every_services_steps_once(database_url: str) -> None:
    """A fresh database, as a new deployment's: each service's schema made by the Job, which
    then finds nothing to do; `--check` agrees."""
    name = f"oms_mig_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = database_url.rpartition("/")[0] + "/" + name
    try:
        environ = {"DATABASE_URL": url}
        first = await job.run(environ)
        services = {s.service for s in job.schemas()}
        assert set(first) == services
        assert all(o.applied == list(range(1, len(s.steps) + 1))
                   for s in job.schemas() for o in [first[s.service]])  # fmt: skip
        again = await job.run(environ)
        assert all(o.applied == [] and not o.behind for o in again.values())
        checked = await job.run(environ, check=True)
        assert all(not o.behind for o in checked.values())
    finally:
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()

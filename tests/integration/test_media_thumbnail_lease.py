"""A thumbnail job is claimed for a lease and made with no transaction open
(services/media/adapters/postgres_repo.py `take_thumbnail_job`): the logs' followers read below
the server's oldest running transaction, so a transaction held across a download, a decode and
an upload would hold back every relay of the server (plumbing/ordered_log.py)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from plumbing import db
from plumbing.ordered_log import Outbox
from services.media.adapters.postgres_repo import PostgresMediaRepository
from services.media.bootstrap import MIGRATIONS
from services.media.domain.model import Declared, Media

LEASE = timedelta(seconds=1)


@pytest.fixture
async def repo(schema_pool: tuple[asyncpg.Pool, str]) -> PostgresMediaRepository:
    pool, schema = schema_pool
    await db.migrate(pool, schema, MIGRATIONS)
    return PostgresMediaRepository(pool, Outbox(pool, schema), thumbnail_lease=LEASE)


async def _ready_photo(repo: PostgresMediaRepository) -> Media:
    now = datetime.now(UTC)
    media = Media(
        id=uuid.uuid4(),
        order_id=uuid.uuid4(),
        declared=Declared("photo", "measurement", "IMG_1.jpg", "image/jpeg", 1000, None),
        uploaded_by=uuid.uuid4(),
        client_key=None,
        status="pending",
        created_at=now,
        url_expires_at=now + timedelta(minutes=15),
    )
    await repo.insert_pending(media)
    await repo.pool.execute("UPDATE media SET status = 'ready' WHERE id = $1; ", media.id)
    await repo.pool.execute("INSERT INTO thumbnail_jobs (media_id) VALUES ($1)", media.id)
    return replace(media, status="ready")


async def _no_transaction_holds(repo: PostgresMediaRepository, media: Media) -> None:
    """From a connection of its own: both rows can be locked at once (NOWAIT), and no
    connection of the repository's pool sits inside a transaction."""
    async with repo.pool.acquire() as probe, probe.transaction():
        await probe.execute("SET LOCAL lock_timeout = 0")
        await probe.fetchval(
            "SELECT 1 FROM thumbnail_jobs WHERE media_id = $1 FOR UPDATE NOWAIT", media.id
        )
        await probe.fetchval("SELECT 1 FROM media WHERE id = $1 FOR UPDATE NOWAIT", media.id)
        schema = await probe.fetchval("SELECT current_schema()")
        open_ones = await probe.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 "
            "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
            schema,
        )
        assert open_ones == 0


async def test_the_thumbnail_is_made_with_no_transaction_open_then_recorded(
    repo: PostgresMediaRepository,
) -> None:
    media = await _ready_photo(repo)
    made: list[uuid.UUID] = []

    async def make(m: Media) -> None:
        await _no_transaction_holds(repo, m)
        made.append(m.id)

    assert await repo.take_thumbnail_job(make)
    assert made == [media.id]
    assert await repo.pool.fetchval("SELECT thumbnail FROM media WHERE id = $1", media.id)
    assert await repo.pool.fetchval("SELECT count(*) FROM thumbnail_jobs") == 0
    types = await repo.pool.fetch("SELECT envelope->>'type' AS t FROM outbox")
    assert [r["t"] for r in types] == ["media.ThumbnailReady"]
    assert not await repo.take_thumbnail_job(make)  # nothing due any more


async def test_a_leased_job_is_skipped_and_due_again_when_its_worker_died(
    repo: PostgresMediaRepository,
) -> None:
    media = await _ready_photo(repo)
    started, never = asyncio.Event(), asyncio.Event()

    async def stuck(_: Media) -> None:
        started.set()
        await never.wait()

    worker = asyncio.create_task(repo.take_thumbnail_job(stuck))
    await asyncio.wait_for(started.wait(), 10)

    async def quick(_: Media) -> None:
        return None

    assert not await repo.take_thumbnail_job(quick)  # leased: another worker skips it
    worker.cancel()  # the worker dies mid-thumbnail
    with pytest.raises(asyncio.CancelledError):
        await worker
    taken = False
    for _ in range(200):  # once the lease has run out (1 s), it is due again
        taken = await repo.take_thumbnail_job(quick)
        if taken:
            break
        await asyncio.sleep(0.05)
    assert taken
    assert await repo.pool.fetchval("SELECT thumbnail FROM media WHERE id = $1", media.id)


async def test_a_photo_detached_while_its_thumbnail_was_made_says_nothing(
    repo: PostgresMediaRepository,
) -> None:
    media = await _ready_photo(repo)

    async def make(m: Media) -> None:
        await repo.pool.execute("UPDATE media SET status = 'deleted' WHERE id = $1", m.id)

    assert await repo.take_thumbnail_job(make)
    assert not await repo.pool.fetchval("SELECT thumbnail FROM media WHERE id = $1", media.id)
    assert await repo.pool.fetchval("SELECT count(*) FROM outbox") == 0
    assert await repo.pool.fetchval("SELECT count(*) FROM thumbnail_jobs") == 0


async def test_a_failed_thumbnail_is_tried_again_later(repo: PostgresMediaRepository) -> None:
    media = await _ready_photo(repo)

    async def broken(_: Media) -> None:
        raise OSError("the store is away")

    assert await repo.take_thumbnail_job(broken)
    job = await repo.pool.fetchrow("SELECT attempts, last_error FROM thumbnail_jobs")
    assert job is not None
    assert job["attempts"] == 1
    assert "store is away" in job["last_error"]
    assert not await repo.pool.fetchval("SELECT thumbnail FROM media WHERE id = $1", media.id)

"""The media table, its outbox and the thumbnail queue in PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from contracts.envelope import Actor
from contracts.events.media import ThumbnailReady
from plumbing.db import Conn
from plumbing.ordered_log import Outbox
from services.media.adapters.media_rows import COLUMNS, to_media, values
from services.media.application.events import envelopes
from services.media.application.ports import Abort, Change, Decide, Remove
from services.media.domain.errors import MediaNotFound
from services.media.domain.model import Media

log = logging.getLogger(__name__)
MAX_THUMBNAIL_ATTEMPTS = 5
# How long a claimed thumbnail job is left to its worker before another may take it.
THUMBNAIL_LEASE = timedelta(minutes=5)


class PostgresMediaRepository:
    def __init__(
        self, pool: asyncpg.Pool, outbox: Outbox, thumbnail_lease: timedelta = THUMBNAIL_LEASE
    ) -> None:
        self.pool = pool
        self.outbox = outbox
        self.thumbnail_lease = thumbnail_lease

    async def insert_pending(self, media: Media) -> Media:
        params = ", ".join(f"${n}" for n in range(1, 24))
        row = await self.pool.fetchrow(
            f"INSERT INTO media ({COLUMNS}) VALUES ({params}) "
            "ON CONFLICT (uploaded_by, order_id, client_key) DO NOTHING "
            f"RETURNING {COLUMNS}",
            *values(media),
        )
        if row is None:  # the same uploader already used this client key on this order
            row = await self.pool.fetchrow(
                f"SELECT {COLUMNS} FROM media "
                "WHERE uploaded_by = $1 AND order_id = $2 AND client_key = $3",
                media.uploaded_by,
                media.order_id,
                media.client_key,
            )
        assert row is not None
        return to_media(row)

    async def get(self, media_id: UUID) -> Media | None:
        row = await self.pool.fetchrow(f"SELECT {COLUMNS} FROM media WHERE id = $1", media_id)
        return to_media(row) if row else None

    async def list_ready(self, order_id: UUID) -> list[Media]:
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM media WHERE order_id = $1 AND status = 'ready' "
            "ORDER BY created_at, id",
            order_id,
        )
        return [to_media(r) for r in rows]

    async def update(self, media_id: UUID, decide: Decide, actor: Actor) -> Media:
        async with self.pool.acquire() as conn, conn.transaction():
            # The row lock serializes deciders on one item (two completions, a completion
            # and the sweeper): each decides on the state the other one committed.
            row = await conn.fetchrow(
                f"SELECT {COLUMNS} FROM media WHERE id = $1 FOR UPDATE", media_id
            )
            if row is None:
                raise MediaNotFound(f"media {media_id} not found")
            current = to_media(row)
            change = decide(current)
            if change is None:
                return current
            return await self._write(conn, current, change, actor)

    async def _write(self, conn: Conn, current: Media, change: Change, actor: Actor) -> Media:
        now = datetime.now(UTC)
        events = envelopes(current.id, current.version, change.events, actor, now)
        m = replace(change.media, version=current.version + len(events))
        await conn.execute(
            "UPDATE media SET status = $2, version = $3, url_expires_at = $4, taken_at = $5, "
            "lat = $6, lon = $7, thumbnail = $8, reject_reason = $9, deleted_by = $10, "
            "review = $11, upload_id = $12, "
            # A renewed URL means a new upload window: the sweeper must look at it again.
            "upload_swept = upload_swept AND url_expires_at = $4, "
            # A new status (a renewed upload, a detach) may have objects to purge again.
            "objects_purged = objects_purged AND status = $2 WHERE id = $1",
            m.id,
            m.status,
            m.version,
            m.url_expires_at,
            m.facts.taken_at,
            m.facts.location.lat if m.facts.location else None,
            m.facts.location.lon if m.facts.location else None,
            m.thumbnail,
            m.reject_reason,
            m.deleted_by,
            m.review,
            m.upload_id,
        )
        if change.thumbnail_job:
            await conn.execute(
                "INSERT INTO thumbnail_jobs (media_id) VALUES ($1) ON CONFLICT DO NOTHING", m.id
            )
        if events:
            await self.outbox.append(conn, events)
        return m

    async def take_thumbnail_job(self, make: Callable[[Media], Awaitable[None]]) -> bool:
        """Claim a due job for a lease, make the thumbnail with no transaction open, then
        record it in a short one.

        No transaction spans the work (a download, a decode, an upload: a second or more):
        the logs' followers read below the oldest running transaction of the whole server
        (plumbing/ordered_log.py), so one held open here would hold back every relay. The
        claim moves the job's `run_after` a lease ahead instead of locking its row: other
        workers skip it meanwhile, and a worker that dies leaves it due again once the lease
        ends. Two workers on one job (a lease outlived) make the same thumbnail; the second
        finds it recorded."""
        job = await self.pool.fetchrow(
            "UPDATE thumbnail_jobs SET run_after = now() + $1::interval WHERE media_id = ("
            "SELECT media_id FROM thumbnail_jobs WHERE run_after <= now() "
            "ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING media_id, attempts",
            self.thumbnail_lease,
        )
        if job is None:
            return False
        row = await self.pool.fetchrow(f"SELECT {COLUMNS} FROM media WHERE id = $1", job[0])
        media = None if row is None else to_media(row)
        if media is None or media.status != "ready" or media.thumbnail:
            await self.pool.execute("DELETE FROM thumbnail_jobs WHERE media_id = $1", job[0])
            return True
        try:
            await make(media)
        except Exception as exc:
            await self._retry_later(self.pool, media.id, job["attempts"] + 1, exc)
            return True
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {COLUMNS} FROM media WHERE id = $1 FOR UPDATE", media.id
            )
            assert row is not None  # media rows are never deleted
            now = to_media(row)
            # Detached, rejected or thumbnailed by another worker meanwhile: nothing to say.
            # (The object of a photo purged meanwhile stays: the store's listing shows it.)
            if now.status == "ready" and not now.thumbnail:
                event = ThumbnailReady(media_id=now.id, order_id=now.order_id)
                done = Change(replace(now, thumbnail=True), [event])
                await self._write(conn, now, done, Actor.system())
            await conn.execute("DELETE FROM thumbnail_jobs WHERE media_id = $1", media.id)
        return True

    async def _retry_later(
        self, conn: Conn | asyncpg.Pool, media_id: UUID, attempts: int, exc: Exception
    ) -> None:
        if attempts >= MAX_THUMBNAIL_ATTEMPTS:
            # The photo itself is valid and listed; it simply has no thumbnail_url.
            log.error("thumbnail for %s failed %d times; giving up", media_id, attempts)
            await conn.execute("DELETE FROM thumbnail_jobs WHERE media_id = $1", media_id)
            return
        log.warning("thumbnail for %s failed (%s); will retry", media_id, exc)
        await conn.execute(
            "UPDATE thumbnail_jobs SET attempts = $2, run_after = $3, last_error = $4 "
            "WHERE media_id = $1",
            media_id,
            attempts,
            datetime.now(UTC) + timedelta(seconds=2**attempts),
            str(exc)[:500],
        )

    async def open_multipart(self, media_id: UUID, upload_id: str) -> Media:
        row = await self.pool.fetchrow(
            "UPDATE media SET upload_id = $2 "
            "WHERE id = $1 AND upload_id IS NULL AND status = 'pending' "
            f"RETURNING {COLUMNS}",
            media_id,
            upload_id,
        )
        if row is None:
            row = await self.pool.fetchrow(f"SELECT {COLUMNS} FROM media WHERE id = $1", media_id)
        if row is None:
            raise MediaNotFound(f"media {media_id} not found")
        return to_media(row)

    async def sweep_uploads(
        self, before: datetime, limit: int, remove: Remove, abort: Abort
    ) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM media WHERE NOT upload_swept AND url_expires_at < $1 "
                "ORDER BY url_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
                before,
                limit,
            )
            if not rows:
                return 0
            found = [to_media(r) for r in rows]
            # Remove first, then mark: if removal fails the transaction rolls back and the
            # next round tries again, so no upload is forgotten half-cleaned. An abandoned
            # multipart upload is aborted (the store has no lifecycle rules here to do it),
            # which drops its parts; a completed one is already gone, which counts as done.
            for m in found:
                if m.upload_id:
                    await abort(m.upload_key, m.upload_id)
            await remove([m.upload_key for m in found])
            await conn.execute(
                "UPDATE media SET upload_swept = true, upload_id = NULL, "
                "status = CASE WHEN status = 'pending' THEN 'expired' ELSE status END "
                "WHERE id = ANY($1::uuid[])",
                [m.id for m in found],
            )
            return len(found)

    async def purge_unattached(self, limit: int, remove: Remove) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM media WHERE NOT objects_purged "
                "AND status IN ('deleted', 'rejected', 'expired') "
                "LIMIT $1 FOR UPDATE SKIP LOCKED",
                limit,
            )
            if not rows:
                return 0
            found = [to_media(r) for r in rows]
            await remove([k for m in found for k in (m.object_key, m.thumbnail_key)])
            await conn.execute(
                "UPDATE media SET objects_purged = true WHERE id = ANY($1::uuid[])",
                [m.id for m in found],
            )
            return len(found)

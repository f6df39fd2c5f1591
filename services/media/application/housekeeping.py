"""Work off the request path: thumbnails from the queue, and sweeping stale objects.

Each loop survives its own failures (logged, retried next round): a broken object store
must not take the service's HTTP side down with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from services.media.application.ports import Imaging, MediaRepository, ObjectStorage
from services.media.application.service import Clock, system_clock
from services.media.application.verify import spool_dir
from services.media.application.work import WorkLimit
from services.media.domain.model import Media

log = logging.getLogger(__name__)
SWEEP_BATCH = 100


class Housekeeping:
    def __init__(
        self,
        repo: MediaRepository,
        storage: ObjectStorage,
        imaging: Imaging,
        *,
        work: WorkLimit,
        poll_interval_s: float,
        sweep_interval_s: float,
        sweep_grace: timedelta,
        clock: Clock = system_clock,
    ) -> None:
        self.repo = repo
        self.storage = storage
        self.imaging = imaging
        self.work = work
        self.poll_interval_s = poll_interval_s
        self.sweep_interval_s = sweep_interval_s
        self.sweep_grace = sweep_grace
        self.clock = clock

    async def make_thumbnail(self, media: Media) -> None:
        # The same slots as completions: a queue of thumbnails never decodes more images at
        # once than the service allows, and it waits rather than fails.
        async with self.work.slot(wait=True), spool_dir() as folder:
            source, target = folder / "original", folder / "thumb.jpg"
            await self.storage.download(media.object_key, source)
            await self.imaging.thumbnail(source, target)
            await self.storage.upload_file(media.thumbnail_key, target, "image/jpeg")

    async def thumbnails_once(self) -> int:
        """Drain the due jobs; how many were taken."""
        taken = 0
        while await self.repo.take_thumbnail_job(self.make_thumbnail):
            taken += 1
        return taken

    async def sweep_once(self) -> int:
        # The grace period lets a PUT that started just before its URL expired finish (the
        # signature is checked when the request starts, the bytes may take a while).
        before = self.clock() - self.sweep_grace
        swept = await self.repo.sweep_uploads(
            before, SWEEP_BATCH, self.storage.remove, self.storage.abort_multipart
        )
        purged = await self.repo.purge_unattached(SWEEP_BATCH, self.storage.remove)
        return swept + purged

    async def run_thumbnails(self) -> None:
        await _forever("thumbnails", self.thumbnails_once, self.poll_interval_s)

    async def run_sweeper(self) -> None:
        await _forever("sweeper", self.sweep_once, self.sweep_interval_s)


async def _forever(name: str, step: Callable[[], Awaitable[int]], interval_s: float) -> None:
    while True:
        try:
            done = await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("media %s round failed; retrying", name)
            done = 0
        if not done:
            await asyncio.sleep(interval_s)

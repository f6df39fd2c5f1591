"""A bound on the heavy work of the media service: verifying uploads and making thumbnails.

Each one may copy and spool tens of megabytes and decode tens of megapixels (CPU, memory,
temp disk). Unbounded, a burst of completions — a phone syncing a day of photos, or someone
completing the same big image a hundred times — starves the rest of the service and the
machine. Completions and thumbnails share the slots, so together they never exceed them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.media.domain.errors import MediaRefusal

RETRY_AFTER_S = 5


class Busy(MediaRefusal):
    """No slot came free in time: the caller may try again (a 503 with Retry-After)."""

    code = "media_busy"


class WorkLimit:
    def __init__(self, slots: int, wait_s: float) -> None:
        if slots < 1:
            raise ValueError("at least one slot")
        self._slots = asyncio.Semaphore(slots)
        self.wait_s = wait_s

    @asynccontextmanager
    async def slot(self, *, wait: bool = False) -> AsyncIterator[None]:
        """Hold one slot. A request waits at most `wait_s` (less than the gateway's upstream
        timeout, so the caller gets our answer, not a timeout) and then is told to retry;
        background work (`wait=True`) waits as long as it takes."""
        if wait:
            await self._slots.acquire()
        else:
            try:
                async with asyncio.timeout(self.wait_s):
                    await self._slots.acquire()
            except TimeoutError:
                raise Busy(
                    "the media service is busy verifying other uploads; "
                    f"complete this one again in {RETRY_AFTER_S} seconds",
                    retry_after=RETRY_AFTER_S,
                ) from None
        try:
            yield
        finally:
            self._slots.release()

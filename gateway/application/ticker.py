"""A background step repeated while anyone listens, one task per gateway process.

The live streams' shared pollers (changes, inbox news, the callers' re-check) each run as one
of these: started by the first stream that listens, stopped when the last one leaves, so a
gateway with no stream open polls nothing at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Ticker:
    def __init__(self, name: str, period_s: float, step: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self.period_s = period_s
        self._step = step
        self._task: asyncio.Task[None] | None = None
        self.listeners = 0

    def join(self) -> None:
        self.listeners += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.name)

    def leave(self) -> None:
        self.listeners -= 1
        if self.listeners <= 0 and self._task is not None:
            self.listeners = 0
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        failing = False
        while self.listeners > 0:
            try:
                await self._step()
                if failing:
                    log.info("%s: working again", self.name)
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception:  # an upstream away: said once, then tried again each period
                if not failing:
                    log.warning("%s: a step failed; trying again", self.name, exc_info=True)
                failing = True
            await asyncio.sleep(self.period_s)

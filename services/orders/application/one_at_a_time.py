"""One command at a time per order inside this process.

Two coroutines of one process deciding on the same order would race each other at the
append: both load version N, one appends N+1, the other loses and must decide again. Queueing
them on a lock per order makes that race impossible inside a process; only another replica
can still land first (service.py retries that). A lock exists while someone holds or awaits
it, so the table does not grow with every order ever touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLocks:
    def __init__(self) -> None:
        # key -> (lock, how many hold or await it)
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:  # FIFO: waiters are served in the order they came
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        """Keys held or awaited now (tests check nothing is left behind)."""
        return len(self._locks)

"""Subscribing to the whole log from a position, on top of `read_all`.

One implementation serves every event store: catch up in batches, then wait for a wake-up
(LISTEN/NOTIFY, a condition, or a poll interval) and read again. Because `read_all` never
skips a late commit and keeps each stream in order, neither does a subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from plumbing.ordered_log import Cursor
from services.orders.application.ports import StoredEvent

ReadAll = Callable[[Cursor, int], Awaitable[list[StoredEvent]]]
Wait = Callable[[], Awaitable[None]]


def poller(interval_s: float) -> Wait:
    async def wait() -> None:
        await asyncio.sleep(interval_s)

    return wait


def woken_by(event: asyncio.Event, interval_s: float) -> Wait:
    """Wait for `event` (set by a notification), or the interval as a fallback."""

    async def wait() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), interval_s)
        event.clear()

    return wait


async def follow(
    read_all: ReadAll, after: Cursor, wait: Wait, batch: int = 500
) -> AsyncIterator[StoredEvent]:
    position = after
    while True:
        events = await read_all(position, batch)
        for stored in events:
            yield stored
            position = stored.cursor
        if len(events) < batch:
            await wait()

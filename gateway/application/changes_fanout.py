"""One poll of the projections' changes feed per gateway process, for every live stream.

Each open stream used to poll the feed itself every half second: fifty open boards made a
hundred requests a second to the gateway's upstream and the projections' database with
nothing changing (issue 17). Here one task reads the feed (Ticker) and keeps the changes it
has read in a window of the last few thousand; each stream takes what lies after its own
cursor from the window and filters it by its own caller's access, as before. The streams
are woken when the window grows, so the upstream cost follows the changes, not the tabs.

The window holds every change with `low < seq <= high`, with no gap: the feed is committed
in `seq` order, so what the poller has read after a position is all there will ever be up to
its last seq. A stream whose cursor lies below `low` (it resumed from an old Last-Event-ID,
or was too slow to keep up while the window moved on) reads its own pages from the feed
until it reaches the window: `since()` says so by answering None. A slow stream never holds
the poller up: the poller only appends and wakes.

A feed whose head falls below what was read means the read models were rebuilt shorter:
the window starts again from the new head and `epoch` counts up, so each stream clamps its
cursor to the new head once, as each stream's own poll did before.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.application.ticker import Ticker

Change = dict[str, Any]
# (after, limit) -> {head, changes: [{seq, order_id, type, stage, at, purpose}]}: the
# projections' GET /changes
ReadChanges = Callable[[int, int], Awaitable[dict[str, Any]]]
PAGE = 200
FAR = 2**62  # `after` beyond any seq: the head alone
POLL_S = 0.5
# Changes held in the window: three pages, far more than a live client falls behind by (it
# is woken at each poll). An old Last-Event-ID reads its own pages up to the window, so a
# longer window only saves rare reads, and it costs memory the whole day: 5,000 changes made
# the gateway's own memory climb for most of the soak's hour before it levelled off.
KEEP = 3 * PAGE


class ChangesFanout:
    def __init__(self, read: ReadChanges, poll_s: float = POLL_S, keep: int = KEEP) -> None:
        self._read = read
        self._keep = keep
        self._window: deque[Change] = deque()
        self.low: int | None = None  # None: not read yet
        self.high = 0
        self.epoch = 0
        self.polls = 0  # upstream reads, for tests and figures
        self._woken: set[asyncio.Event] = set()  # each listening stream's own
        self.ticker = Ticker("changes-fanout", poll_s, self._poll)

    def join(self, wake: asyncio.Event) -> None:
        """`wake` is set whenever the window grows or restarts."""
        self._woken.add(wake)
        self.ticker.join()

    def leave(self, wake: asyncio.Event) -> None:
        self._woken.discard(wake)
        self.ticker.leave()
        if self.ticker.listeners == 0:
            # Nobody reads the window while nobody listens: started again, it starts afresh.
            self._window.clear()
            self.low = None

    def since(self, cursor: int) -> list[Change] | None:
        """The changes after `cursor` in the window, in seq order; None when the window does
        not reach back to it (the stream reads the feed itself until it does)."""
        if self.low is None or cursor < self.low:
            return None
        newer: list[Change] = []
        for change in reversed(self._window):  # from the newest: as long as what is new
            if int(change["seq"]) <= cursor:
                break
            newer.append(change)
        newer.reverse()
        return newer

    def _wake(self) -> None:
        for wake in self._woken:
            wake.set()

    async def _poll(self) -> None:
        """Read the feed after `high`; a full page is followed by the next at once."""
        while True:
            after = FAR if self.low is None else self.high
            self.polls += 1
            page = await self._read(after, PAGE)
            head = int(page["head"])
            if self.low is None or head < self.high:
                # The first read, or the read models were rebuilt shorter: start from the head.
                if self.low is not None:
                    self.epoch += 1
                self._window.clear()
                self.low = self.high = head
                self._wake()
                return
            changes: list[Change] = page["changes"]
            if not changes:
                return
            for change in changes:
                self._window.append(change)
            self.high = int(changes[-1]["seq"])
            while len(self._window) > self._keep:
                self.low = int(self._window.popleft()["seq"])
            self._wake()
            if len(changes) < PAGE:
                return

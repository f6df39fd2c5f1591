"""One ask per gateway process for whose inbox has news, instead of every stream polling its
own inbox feed every two seconds (issue 17).

The notifications service answers `{head, users}`: the users with notifications after a
position, any user's (GET /notifications/news). Only the streams of those users are told
to read their own feed (as before: by their own position, each item through access), so
the reads follow the notices, not the open tabs. A stream still reads its feed once when it
opens and, as a safety net, now and then (INBOX_SAFETY_S) even untold.

A stream listens before it first reads its feed, so a notice that becomes visible after that
first read is after the watcher's position and is announced to it: positions become visible
in the order they are drawn, so the watcher's `head` is never past a notice still to come.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gateway.application.ticker import Ticker

# after (None: from now) -> {head, users}: the notifications' GET /notifications/news
ReadNews = Callable[[int | None], Awaitable[dict[str, Any]]]
POLL_S = 2.0  # as often as each stream once read its own inbox


@dataclass(eq=False)
class InboxListener:
    user_id: str
    wake: asyncio.Event  # the stream's own, set with `due`
    due: bool = True  # read the feed: at first, and whenever told

    def tell(self) -> None:
        self.due = True
        self.wake.set()


class InboxNews:
    def __init__(self, read: ReadNews, poll_s: float = POLL_S) -> None:
        self._read = read
        self._position: int | None = None
        self._listeners: dict[str, set[InboxListener]] = {}
        self.polls = 0
        self.ticker = Ticker("inbox-news", poll_s, self._poll)

    def listen(self, user_id: str, wake: asyncio.Event) -> InboxListener:
        listener = InboxListener(user_id, wake)
        self._listeners.setdefault(user_id, set()).add(listener)
        self.ticker.join()
        return listener

    def leave(self, listener: InboxListener) -> None:
        mine = self._listeners.get(listener.user_id, set())
        mine.discard(listener)
        if not mine:
            self._listeners.pop(listener.user_id, None)
        self.ticker.leave()
        if self.ticker.listeners == 0:
            self._position = None  # restarted later: from that moment, its streams read first

    async def _poll(self) -> None:
        self.polls += 1
        reply = await self._read(self._position)
        if self._position is None:
            # The first read: a stream that listened earlier may have read its feed before a
            # notice this head already covers. Each reads once more, from its own position.
            told = [user for user, mine in self._listeners.items() if mine]
        else:
            told = [str(user) for user in reply["users"]]
        for user_id in told:
            for listener in self._listeners.get(user_id, ()):
                listener.tell()
        self._position = int(reply["head"])

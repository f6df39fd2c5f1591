"""What every live stream of one gateway process shares (issue 17): one reader of the
changes feed, one watcher of the inboxes, one re-check of the callers. Each runs only while
a stream listens; each stream keeps its own cursor and applies its own caller's access to
what it is given (gateway/entrypoints/events_stream.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.changes_fanout import ChangesFanout
from gateway.application.inbox_news import InboxListener, InboxNews
from gateway.application.sign_in import SignIn
from gateway.application.stream_guard import GuardChecks, StreamGuard, Watch

# Who asks for the shared reads: the gateway itself, on no user's behalf (every service route
# answers only calls the gateway signed). A role no rule grants anything: the two routes it
# reads answer positions and ids the same to anyone the gateway vouches for.
GATEWAY = Caller(str(uuid.UUID(int=0)), "gateway", "gateway")


@dataclass
class Listening:
    """One stream's hold on the shared feeds; `wake` is set whenever any has news for it."""

    wake: asyncio.Event
    inbox: InboxListener
    watch: Watch


class LiveFeeds:
    def __init__(self, changes: ChangesFanout, inbox: InboxNews, guards: GuardChecks) -> None:
        self.changes = changes
        self.inbox = inbox
        self.guards = guards

    @classmethod
    def over(cls, upstreams: Upstreams, sign_in: SignIn) -> LiveFeeds:
        """Read through the gateway's upstream clients, as the gateway itself (GATEWAY):
        neither answer says anything about a user but ids and positions."""

        async def read_changes(after: int, limit: int) -> dict[str, Any]:
            params = {"after": after, "limit": limit}
            reply = await upstreams.call("projections", "GET", "/changes", GATEWAY, params=params)
            page: dict[str, Any] = reply.body
            return page

        async def read_news(after: int | None) -> dict[str, Any]:
            params = {} if after is None else {"after": after}
            reply = await upstreams.call(
                "notifications", "GET", "/notifications/news", GATEWAY, params=params
            )
            news: dict[str, Any] = reply.body
            return news

        return cls(ChangesFanout(read_changes), InboxNews(read_news), GuardChecks(sign_in))

    @asynccontextmanager
    async def listen(self, user_id: str, guard: StreamGuard) -> AsyncIterator[Listening]:
        wake = asyncio.Event()
        inbox = self.inbox.listen(user_id, wake)  # before the stream's first read of its feed
        watch = self.guards.watch(guard, wake)
        self.changes.join(wake)
        try:
            yield Listening(wake, inbox, watch)
        finally:
            self.changes.leave(wake)
            self.guards.leave(watch)
            self.inbox.leave(inbox)

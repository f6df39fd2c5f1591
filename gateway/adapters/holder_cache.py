"""Who holds a session, cached for seconds on each gateway replica (issue 17, step 5).

Every request used to ask PostgreSQL for its session and user: a round trip per request, for
an answer that changes a few times a day per user. A replica now keeps what it read for at
most `ttl_s` and forgets a user's entries as soon as they change:

- on the replica that made the change, at once, after its commit (the repositories call
  `forget_user` / `forget_session`): the next request there is refused, as before the cache;
- on every replica, by a NOTIFY that triggers on `users` and `sessions` send for every update
  or delete (IDENTITY_TRIGGERS_DDL). The triggers are in the database, not in the code paths,
  so a new way of changing a user cannot forget to tell the other replicas.

What could leave an entry stale is bounded: while the listening connection is down nothing
is cached (and all is forgotten when it drops, since notifications may have been missed); a
read that started before a change is not stored if anything was forgotten meanwhile
(`_epoch`); and nothing outlives the TTL or its session's expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from gateway.adapters.sessions_repo import Holder
from plumbing import db

log = logging.getLogger(__name__)

TTL_S = 15.0  # the bound is 30 s; a change normally arrives by NOTIFY in milliseconds
# Entries are dropped when read after their end; sessions never read again (signed out, the
# tab closed) are swept out every this many stores, so the cache holds only live ones.
SWEEP_EVERY = 256
PROBE_EVERY_S = 5.0  # a listening connection that died without a word is noticed this soon

# Every update or delete of a user or a session names the user on `<schema>_identity`.
# A trigger's NOTIFY is delivered at commit, and not at all if the change rolls back.
IDENTITY_TRIGGERS_DDL = """
CREATE OR REPLACE FUNCTION identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '_identity', OLD.id::text);
    ELSE
        PERFORM pg_notify(TG_TABLE_SCHEMA || '_identity', OLD.user_id::text);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER users_identity_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION identity_changed();
CREATE OR REPLACE TRIGGER sessions_identity_changed AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION identity_changed();
"""


def channel(schema: str) -> str:
    return f"{schema}_identity"


class HolderOf(Protocol):
    """The session's holder as it is now (gateway/adapters/sessions_repo.py)."""

    async def holder(self, session_id: uuid.UUID, user_id: uuid.UUID) -> Holder | None: ...

    async def holders(
        self, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], Holder]: ...


@dataclass
class _Entry:
    found: Holder
    until: float  # monotonic


class HolderCache:
    def __init__(
        self,
        source: HolderOf,
        ttl_s: float = TTL_S,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source = source
        self.ttl_s = ttl_s
        self.clock = clock
        self.wall = wall
        self.listening = False  # nothing is cached unless changes can reach us
        self._entries: dict[tuple[uuid.UUID, uuid.UUID], _Entry] = {}
        self._epoch = 0  # bumped by every forget: a read older than it is not stored
        self._stores = 0

    # --- reads -------------------------------------------------------------------------

    async def holder(self, session_id: uuid.UUID, user_id: uuid.UUID) -> Holder | None:
        pair = (session_id, user_id)
        cached = self._fresh(pair)
        if cached is not None:
            return cached
        epoch = self._epoch
        found = await self.source.holder(session_id, user_id)
        if found is not None:
            self._store(pair, found, epoch)
        return found

    async def holders(
        self, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], Holder]:
        answer: dict[tuple[uuid.UUID, uuid.UUID], Holder] = {}
        missing = []
        for pair in pairs:
            cached = self._fresh(pair)
            if cached is None:
                missing.append(pair)
            else:
                answer[pair] = cached
        if missing:
            epoch = self._epoch
            read = await self.source.holders(missing)
            for pair, found in read.items():
                self._store(pair, found, epoch)
            answer.update(read)
        return answer

    def _fresh(self, pair: tuple[uuid.UUID, uuid.UUID]) -> Holder | None:
        entry = self._entries.get(pair)
        if entry is None:
            return None
        if entry.until <= self.clock():
            del self._entries[pair]
            return None
        return entry.found

    def _store(self, pair: tuple[uuid.UUID, uuid.UUID], found: Holder, epoch: int) -> None:
        if not self.listening or epoch != self._epoch:
            return
        until = self.clock() + self.ttl_s
        if found.expires_at is not None:
            # A session that expires sooner is read again then, and found ended.
            left = (found.expires_at - self.wall()).total_seconds()
            until = min(until, self.clock() + max(0.0, left))
        self._entries[pair] = _Entry(found, until)
        self._stores += 1
        if self._stores % SWEEP_EVERY == 0:
            now = self.clock()
            self._drop(lambda _, entry: entry.until <= now)

    # --- forgetting --------------------------------------------------------------------

    def forget_user(self, user_id: uuid.UUID) -> None:
        self._epoch += 1
        self._drop(lambda pair, _: pair[1] == user_id)

    def forget_session(self, session_id: uuid.UUID) -> None:
        self._epoch += 1
        self._drop(lambda pair, _: pair[0] == session_id)

    def _drop(self, which: Callable[[tuple[uuid.UUID, uuid.UUID], _Entry], bool]) -> None:
        for pair in [p for p, e in self._entries.items() if which(p, e)]:
            del self._entries[pair]

    def forget_all(self) -> None:
        self._epoch += 1
        self._entries.clear()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            self.forget_user(uuid.UUID(str(payload)))
        except ValueError:
            self.forget_all()  # not ours to read: forgetting everything is always safe

    # --- the listener (a job of the gateway's, bootstrap.py) --------------------------------

    async def listen(self, database_url: str, schema: str) -> None:
        """LISTEN for changes until cancelled, reconnecting after a failure; caching only
        while listening."""
        while True:
            try:
                await self._listen_once(database_url, schema)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: stop caching, retry
                log.warning("identity listener lost (%r); not caching until it is back", exc)
            finally:
                self.listening = False
                self.forget_all()
            await asyncio.sleep(1)

    async def _listen_once(self, database_url: str, schema: str) -> None:
        conn = await db.connect(database_url, schema)
        try:
            await conn.add_listener(channel(schema), self._notified)
            self.forget_all()  # whatever was read before we listened may be stale
            self.listening = True
            while True:
                await asyncio.sleep(PROBE_EVERY_S)
                await asyncio.wait_for(conn.fetchval("SELECT 1"), PROBE_EVERY_S)
        finally:
            self.listening = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)
            if not conn.is_closed():
                conn.terminate()

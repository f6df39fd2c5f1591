"""The holders' cache in front of the sessions table (gateway/adapters/holder_cache.py):
what it keeps, for how long, and what makes it forget."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from gateway.adapters import holder_cache
from gateway.adapters.holder_cache import HolderCache
from gateway.adapters.sessions_repo import Holder
from gateway.domain.users import User

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
Pair = tuple[uuid.UUID, uuid.UUID]


def _user(user_id: uuid.UUID, active: bool = True) -> User:
    return User(user_id, "ivanov", "Иван Иванов", "manager", active, "hash", None)


class Sessions:
    """The sessions table as the cache sees it, counting how often it is asked."""

    def __init__(self) -> None:
        self.rows: dict[Pair, Holder] = {}
        self.asked = 0

    def add(self, expires_in: timedelta = timedelta(hours=8)) -> Pair:
        pair = (uuid.uuid4(), uuid.uuid4())
        self.rows[pair] = Holder(_user(pair[1]), True, None, NOW + expires_in)
        return pair

    async def holder(self, session_id: uuid.UUID, user_id: uuid.UUID) -> Holder | None:
        self.asked += 1
        return self.rows.get((session_id, user_id))

    async def holders(self, pairs: Collection[Pair]) -> dict[Pair, Holder]:
        self.asked += 1
        return {p: self.rows[p] for p in pairs if p in self.rows}


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _cache(sessions: Sessions, clock: Clock, ttl_s: float = 15.0) -> HolderCache:
    cache = HolderCache(sessions, ttl_s=ttl_s, clock=clock, wall=lambda: NOW)
    cache.listening = True
    return cache


async def test_a_holder_is_read_once_within_the_ttl_and_again_after() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    pair = sessions.add()
    for _ in range(5):
        assert (await cache.holder(*pair)) == sessions.rows[pair]
    assert sessions.asked == 1
    clock.t += 15.0
    await cache.holder(*pair)
    assert sessions.asked == 2


async def test_nothing_is_cached_while_changes_cannot_reach_the_replica() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    cache.listening = False
    pair = sessions.add()
    await cache.holder(*pair)
    await cache.holder(*pair)
    assert sessions.asked == 2


async def test_a_changed_user_or_ended_session_is_read_again_at_once() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    pair, other = sessions.add(), sessions.add()
    await cache.holder(*pair)
    await cache.holder(*other)
    sessions.rows[pair] = Holder(_user(pair[1], active=False), False, "user_deactivated")
    cache.forget_user(pair[1])
    found = await cache.holder(*pair)
    assert found is not None
    assert not found.live
    assert not found.user.active
    await cache.holder(*other)
    assert sessions.asked == 3  # the other user's entry was kept
    cache.forget_session(other[0])
    await cache.holder(*other)
    assert sessions.asked == 4


async def test_a_notification_names_the_user_and_anything_else_forgets_all() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    pair, other = sessions.add(), sessions.add()
    await cache.holders([pair, other])
    cache._notified(None, 0, "gw_identity", str(pair[1]))
    await cache.holders([pair, other])
    assert sessions.asked == 2  # only the named user's was asked again
    cache._notified(None, 0, "gw_identity", "not a user id")
    await cache.holders([pair, other])
    assert sessions.asked == 3


async def test_a_read_that_raced_a_change_is_not_kept() -> None:
    """A read that started before a change may carry the old state: it is answered, not
    stored, so the next request reads the new state."""
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    pair = sessions.add()
    old = sessions.rows[pair]

    async def slow_read(session_id: uuid.UUID, user_id: uuid.UUID) -> Holder | None:
        sessions.asked += 1
        sessions.rows[pair] = Holder(old.user, False, "logout")
        cache.forget_session(session_id)  # the change lands while this read is in flight
        return old

    sessions.holder = slow_read  # type: ignore[method-assign]
    assert (await cache.holder(*pair)) is old
    sessions.holder = Sessions.holder.__get__(sessions)  # type: ignore[method-assign]
    found = await cache.holder(*pair)
    assert found is not None
    assert not found.live


async def test_an_entry_never_outlives_its_session() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock, ttl_s=15.0)
    pair = sessions.add(expires_in=timedelta(seconds=4))
    await cache.holder(*pair)
    clock.t += 3.9
    await cache.holder(*pair)
    assert sessions.asked == 1
    clock.t += 0.2
    await cache.holder(*pair)
    assert sessions.asked == 2


async def test_many_at_once_ask_only_for_what_is_not_cached() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    known, new, gone = sessions.add(), sessions.add(), (uuid.uuid4(), uuid.uuid4())
    await cache.holder(*known)
    asked: list[Collection[Pair]] = []
    real = sessions.holders

    async def spy(pairs: Collection[Pair]) -> dict[Pair, Holder]:
        asked.append(list(pairs))
        return await real(pairs)

    sessions.holders = spy  # type: ignore[method-assign]
    found = await cache.holders([known, new, gone])
    assert set(found) == {known, new}
    assert asked == [[new, gone]]


async def test_entries_of_sessions_never_read_again_do_not_pile_up() -> None:
    sessions, clock = Sessions(), Clock()
    cache = _cache(sessions, clock)
    for _ in range(300):  # sign-ins whose sessions are used once and never again
        await cache.holder(*sessions.add())
        clock.t += 1.0
    # Only those of the last 15 s can be live; the sweep dropped the rest.
    assert len(cache._entries) <= 15 + holder_cache.SWEEP_EVERY
    assert len(cache._entries) < 300

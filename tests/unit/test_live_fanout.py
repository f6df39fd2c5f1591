"""The live streams' shared feeds (issue 17): one read of the changes feed per tick for every
stream of a gateway process, one ask for the inboxes' news, one re-check of all callers;
each stream still gets exactly its own changes after its own cursor, in order, once.

The streams here are the real ones (events_stream.pushes_for) over an in-memory changes
feed, inbox and access read model that answer as the projections and notifications do."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import uuid
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from gateway.adapters.sessions_repo import Holder
from gateway.adapters.upstream import Caller, Reply, Upstreams
from gateway.application.changes_fanout import ChangesFanout
from gateway.application.inbox_news import InboxNews
from gateway.application.key_ring import KeyRing
from gateway.application.live_feeds import LiveFeeds
from gateway.application.sign_in import SignIn
from gateway.application.stream_guard import (
    ROLE_CHANGED,
    SESSION_ENDED,
    TOKEN_EXPIRED,
    UNVERIFIED,
    GuardChecks,
    StreamGuard,
)
from gateway.application.tokens import TokenClaims, Tokens
from gateway.domain.users import User
from gateway.entrypoints.events_stream import Position, pushes_for

TICK_S = 0.05
SECRET = secrets.token_urlsafe(48)
ORDER_A, ORDER_B = str(uuid.uuid4()), str(uuid.uuid4())


class World:
    """The projections' changes feed and access model and the notifications' inboxes, as
    the gateway's upstream client sees them; every call is counted."""

    def __init__(self) -> None:
        self.changes: list[dict[str, Any]] = []
        self.notices: dict[str, list[dict[str, Any]]] = {}
        self.assigned: dict[str, set[str]] = {}  # user id -> orders assigned to them
        self.calls: list[tuple[str, Any]] = []  # (path, caller id or None)

    def change(self, order_id: str, kind: str = "orders.StageChanged") -> None:
        seq = len(self.changes) + 1
        self.changes.append(
            {"seq": seq, "order_id": order_id, "type": kind, "stage": "intake", "at": None}
        )

    def notice(self, user_id: str, order_id: str | None, text: str) -> None:
        seq = 1 + sum(len(n) for n in self.notices.values())
        self.notices.setdefault(user_id, []).append(
            {"id": str(uuid.uuid4()), "seq": seq, "order_id": order_id, "text": text}
        )

    def page(self, after: int, limit: int = 200) -> dict[str, Any]:
        head = self.changes[-1]["seq"] if self.changes else 0
        return {"head": head, "changes": [c for c in self.changes if c["seq"] > after][:limit]}

    def news(self, after: int | None) -> dict[str, Any]:
        tops = {u: max(n["seq"] for n in ns) for u, ns in self.notices.items() if ns}
        newer = {u: top for u, top in tops.items() if after is None or top > after}
        head = max(newer.values(), default=after or 0)
        return {"head": head, "users": [] if after is None else sorted(newer)}

    async def call(
        self,
        service: str,  # noqa: ARG002 - Upstreams.call's signature
        method: str,  # noqa: ARG002
        path: str,
        caller: Caller | None,
        **kw: Any,
    ) -> Reply:
        params = kw.get("params") or {}
        self.calls.append((path, None if caller is None else caller.id))
        await asyncio.sleep(0)
        if path == "/changes":
            return Reply(200, self.page(int(params["after"]), int(params.get("limit", 200))))
        if path == "/notifications/feed":
            assert caller is not None
            mine = self.notices.get(caller.id, [])
            after = params.get("after")
            head = max((n["seq"] for n in mine), default=0)
            start = head if after is None else min(int(after), head)
            return Reply(200, {"items": [n for n in mine if n["seq"] > start], "next": head})
        if path.startswith("/access/"):
            assert caller is not None
            order = path.removeprefix("/access/")
            theirs = order in self.assigned.get(caller.id, set())
            return Reply(200, {"exists": True, "assigned": theirs, "production_visible": False})
        raise AssertionError(f"unexpected call {path}")

    def stream_calls(self, path: str) -> int:
        return sum(1 for p, who in self.calls if p == path and who is not None)


class FakeSignIn:
    """Sessions as the gateway's database holds them; each batched ask counted."""

    def __init__(self) -> None:
        self.holders: dict[str, Holder] = {}
        self.asks = 0
        self.broken = False

    async def holders_of(self, many: list[TokenClaims]) -> list[Holder | None]:
        self.asks += 1
        if self.broken:
            raise ConnectionError("the gateway's database is away")
        return [self.holders.get(c.session_id) for c in many]


def _user(role: str) -> User:
    return User(uuid.uuid4(), role, role, role, True, "x")


def _feeds(world: World, sign_in: FakeSignIn, keep: int = 5000) -> LiveFeeds:
    async def read_changes(after: int, limit: int) -> dict[str, Any]:
        world.calls.append(("/changes", None))
        return world.page(after, limit)

    async def read_news(after: int | None) -> dict[str, Any]:
        world.calls.append(("/notifications/news", None))
        return world.news(after)

    return LiveFeeds(
        ChangesFanout(read_changes, poll_s=TICK_S, keep=keep),
        InboxNews(read_news, poll_s=TICK_S),
        GuardChecks(cast(SignIn, sign_in), period_s=TICK_S),
    )


class Tab:
    """One open stream: its frames as they come, read by a task of its own unless paused."""

    def __init__(
        self,
        world: World,
        feeds: LiveFeeds,
        sign_in: FakeSignIn,
        user: User,
        at: Position,
        tokens: Tokens,
    ) -> None:
        session = str(uuid.uuid4())
        sign_in.holders[session] = Holder(user, True, None)
        self.session = session
        token = tokens.issue(TokenClaims(str(user.id), user.username, user.role, session))
        self.caller = Caller(str(user.id), user.username, user.role)
        self.frames: list[tuple[str, dict[str, Any]]] = []
        self.reading = asyncio.Event()
        self.reading.set()
        self._gen = self._run(world, feeds, cast(SignIn, sign_in), user, at, tokens, token)
        self.task = asyncio.create_task(self._read())

    async def _run(
        self,
        world: World,
        feeds: LiveFeeds,
        sign_in: SignIn,
        user: User,
        at: Position,
        tokens: Tokens,
        token: str,
    ) -> AsyncGenerator[str, None]:
        guard = StreamGuard(tokens, sign_in, token, user)

        async def gone() -> bool:
            return False

        async with feeds.listen(self.caller.id, guard) as held:
            async for frame in pushes_for(
                cast(Upstreams, world), self.caller, feeds, held, at, "ru", gone
            ):
                yield frame

    async def _read(self) -> None:
        async for raw in self._gen:
            await self.reading.wait()  # a paused tab: its client reads nothing
            if raw.startswith(":"):
                continue
            lines = dict(line.split(": ", 1) for line in raw.strip().split("\n"))
            self.frames.append((lines["event"], json.loads(lines["data"])))

    def seqs(self) -> list[int]:
        return [int(d["seq"]) for e, d in self.frames if e in ("board", "chat")]

    def kinds(self) -> list[str]:
        return [e for e, _ in self.frames]

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self._gen.aclose()


async def _until(check: Any, timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not check():
            await asyncio.sleep(0.01)


def _tokens() -> Tokens:
    return Tokens(KeyRing.single(SECRET))


async def test_many_streams_cost_one_upstream_read_per_tick_and_each_gets_every_change() -> None:
    world, sign_in, tokens = World(), FakeSignIn(), _tokens()
    feeds = _feeds(world, sign_in)
    managers = [_user("manager") for _ in range(5)]
    tabs = [Tab(world, feeds, sign_in, managers[i % 5], Position(0, 0), tokens) for i in range(50)]
    try:
        await _until(lambda: all(t.kinds()[:1] == ["ready"] for t in tabs))
        await asyncio.sleep(3 * TICK_S)
        # Each stream read its own inbox when it opened, and once more when the shared
        # watcher first read its head (a notice in between would otherwise be missed).
        assert world.stream_calls("/notifications/feed") <= 100
        reads = world.stream_calls("/notifications/feed")
        polls, news, asks = feeds.changes.polls, feeds.inbox.polls, sign_in.asks
        await asyncio.sleep(20 * TICK_S)
        ticks = 20 + 2  # a tick more on each side for timing
        # Nothing changing: one read of each shared feed per tick, not one per stream.
        assert feeds.changes.polls - polls <= ticks
        assert feeds.inbox.polls - news <= ticks
        assert sign_in.asks - asks <= ticks
        assert world.stream_calls("/changes") == 0
        assert world.stream_calls("/notifications/feed") == reads  # nobody was told of news

        for n in range(7):
            world.change(ORDER_A if n % 2 else ORDER_B)
        await _until(lambda: all(t.seqs() == list(range(1, 8)) for t in tabs))
        await asyncio.sleep(3 * TICK_S)
        assert all(t.seqs() == list(range(1, 8)) for t in tabs)  # no duplicates either
        assert world.stream_calls("/changes") == 0
    finally:
        for tab in tabs:
            await tab.close()


async def test_a_slow_stream_holds_nobody_up_and_later_gets_all_in_order() -> None:
    world, sign_in, tokens = World(), FakeSignIn(), _tokens()
    feeds = _feeds(world, sign_in, keep=3)  # a small window: the slow one falls out of it
    slow = Tab(world, feeds, sign_in, _user("director"), Position(0, 0), tokens)
    quick = Tab(world, feeds, sign_in, _user("manager"), Position(0, 0), tokens)
    try:
        await _until(lambda: slow.kinds()[:1] == ["ready"] and quick.kinds()[:1] == ["ready"])
        slow.reading.clear()
        for _ in range(12):
            world.change(ORDER_A)
            await asyncio.sleep(TICK_S / 2)
        await _until(lambda: quick.seqs() == list(range(1, 13)))
        assert len(slow.seqs()) <= 1  # the one it had in hand when its client stopped reading
        assert feeds.changes.low is not None
        assert feeds.changes.low > 1  # the window moved on
        slow.reading.set()
        await _until(lambda: slow.seqs() == list(range(1, 13)))
        await asyncio.sleep(3 * TICK_S)
        assert slow.seqs() == list(range(1, 13))
        assert quick.seqs() == list(range(1, 13))
        # The slow one read the feed itself to catch up; the quick one never had to.
        assert ("/changes", slow.caller.id) in world.calls
        assert ("/changes", quick.caller.id) not in world.calls
    finally:
        await slow.close()
        await quick.close()


async def test_a_stream_joining_late_resumes_from_its_own_cursor() -> None:
    world, sign_in, tokens = World(), FakeSignIn(), _tokens()
    feeds = _feeds(world, sign_in, keep=4)
    for _ in range(3):
        world.change(ORDER_A)
    first = Tab(world, feeds, sign_in, _user("manager"), Position(3, 0), tokens)
    try:
        await _until(lambda: first.kinds()[:1] == ["ready"])
        for _ in range(7):
            world.change(ORDER_B)
        await _until(lambda: first.seqs() == list(range(4, 11)))
        # Behind the shared window (it holds 7..10): from its Last-Event-ID, at 2.
        late = Tab(world, feeds, sign_in, _user("manager"), Position(2, 0), tokens)
        # Inside the window: from 8.
        inside = Tab(world, feeds, sign_in, _user("manager"), Position(8, 0), tokens)
        await _until(lambda: late.seqs() == list(range(3, 11)) and inside.seqs() == [9, 10])
        world.change(ORDER_A)
        await _until(lambda: all(t.seqs()[-1] == 11 for t in (first, late, inside)))
        await asyncio.sleep(3 * TICK_S)
        assert late.seqs() == list(range(3, 12))
        assert ("/changes", late.caller.id) in world.calls  # behind the window: itself
        assert ("/changes", inside.caller.id) not in world.calls
        assert inside.seqs() == [9, 10, 11]
        assert first.seqs() == list(range(4, 12))
    finally:
        for tab in (first, late, inside):
            await tab.close()


async def test_each_stream_gets_only_what_its_caller_may_see() -> None:
    world, sign_in, tokens = World(), FakeSignIn(), _tokens()
    feeds = _feeds(world, sign_in)
    measurer = _user("measurer")
    world.assigned[str(measurer.id)] = {ORDER_A}
    field = Tab(world, feeds, sign_in, measurer, Position(0, 0), tokens)
    office = Tab(world, feeds, sign_in, _user("manager"), Position(0, 0), tokens)
    try:
        await _until(lambda: field.kinds()[:1] == ["ready"] and office.kinds()[:1] == ["ready"])
        world.change(ORDER_A)
        world.change(ORDER_B)  # not theirs
        world.change(ORDER_A, "orders.DealTermsRecorded")  # commercial: never to a field role
        world.change(ORDER_A, "orders.CommentPosted")
        await _until(lambda: len(office.seqs()) == 4 and field.seqs()[-1:] == [4])
        assert field.seqs() == [1, 4]
        assert [e for e, _ in field.frames[1:]] == ["board", "chat"]
    finally:
        await field.close()
        await office.close()


async def test_only_the_streams_of_users_with_news_read_their_inbox() -> None:
    world, sign_in, tokens = World(), FakeSignIn(), _tokens()
    feeds = _feeds(world, sign_in)
    told, other = _user("manager"), _user("director")
    tabs = [Tab(world, feeds, sign_in, u, Position(0, 0), tokens) for u in (told, told, other)]
    try:
        await _until(lambda: all(t.kinds()[:1] == ["ready"] for t in tabs))
        await asyncio.sleep(3 * TICK_S)
        reads = world.stream_calls("/notifications/feed")
        world.notice(str(told.id), ORDER_A, "Вас упомянули")
        await _until(lambda: all("notification" in t.kinds() for t in tabs[:2]))
        await asyncio.sleep(3 * TICK_S)
        assert world.stream_calls("/notifications/feed") - reads == 2  # told's two tabs only
        assert "notification" not in tabs[2].kinds()
        assert [t.kinds().count("notification") for t in tabs[:2]] == [1, 1]
    finally:
        for tab in tabs:
            await tab.close()


async def test_all_callers_are_rechecked_in_one_ask_and_each_stream_ends_for_its_own_reason() -> (
    None
):
    world, sign_in, tokens = World(), FakeSignIn(), _tokens()
    feeds = _feeds(world, sign_in)
    manager = _user("manager")
    tabs = [Tab(world, feeds, sign_in, manager, Position(0, 0), tokens) for _ in range(20)]
    try:
        await _until(lambda: all(t.kinds()[:1] == ["ready"] for t in tabs))
        asks = sign_in.asks
        await asyncio.sleep(10 * TICK_S)
        assert sign_in.asks - asks <= 12  # per tick, not per stream and tick
        del sign_in.holders[tabs[0].session]  # a logout
        promoted = User(manager.id, "manager", "manager", "director", True, "x")
        sign_in.holders[tabs[1].session] = Holder(promoted, True, None)
        await _until(
            lambda: tabs[0].kinds()[-1:] == ["reauth"] and tabs[1].kinds()[-1:] == ["reauth"]
        )
        assert tabs[0].frames[-1][1]["reason"] == SESSION_ENDED
        assert tabs[1].frames[-1][1]["reason"] == ROLE_CHANGED
        assert all(t.kinds()[-1:] == ["ready"] for t in tabs[2:])
        sign_in.broken = True  # cannot check: fail closed
        await _until(lambda: all(t.kinds()[-1:] == ["reauth"] for t in tabs[2:]))
        assert {t.frames[-1][1]["reason"] for t in tabs[2:]} == {UNVERIFIED}
    finally:
        for tab in tabs:
            await tab.close()


async def test_an_expired_token_ends_its_stream_without_asking_the_database() -> None:
    sign_in = FakeSignIn()
    checks = GuardChecks(cast(SignIn, sign_in), period_s=TICK_S)
    tokens = Tokens(KeyRing.single(SECRET))
    user = _user("manager")
    claims = TokenClaims(str(user.id), user.username, user.role, str(uuid.uuid4()))
    old = tokens.issue(claims, now=datetime.now(UTC) - timedelta(hours=1))
    watch = checks.watch(StreamGuard(tokens, cast(SignIn, sign_in), old, user), asyncio.Event())
    try:
        await checks.check()
        assert watch.why == TOKEN_EXPIRED
        assert watch.wake.is_set()
        assert sign_in.asks == 0
    finally:
        checks.leave(watch)


async def test_a_token_running_out_while_watched_ends_its_stream_by_the_clock() -> None:
    sign_in = FakeSignIn()
    checks = GuardChecks(cast(SignIn, sign_in), period_s=TICK_S)
    tokens = Tokens(KeyRing.single(SECRET), ttl=timedelta(seconds=1))
    user = _user("manager")
    claims = TokenClaims(str(user.id), user.username, user.role, str(uuid.uuid4()))
    sign_in.holders[claims.session_id] = Holder(user, True, None)
    watch = checks.watch(
        StreamGuard(tokens, cast(SignIn, sign_in), tokens.issue(claims), user), asyncio.Event()
    )
    try:
        await checks.check()
        assert watch.why is None  # still valid: its session asked about
        assert sign_in.asks == 1
        await _until(lambda: watch.why is not None, timeout_s=3)
        assert watch.why == TOKEN_EXPIRED
    finally:
        checks.leave(watch)

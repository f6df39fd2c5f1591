"""Every push goes through access (issue 11), through the running system as demo users.

A chat mention, a robot's message to a role and the live stream each used to reach people
who get 404 for the order concerned, and a stream outlived its token, its user and its role.
Here: a mention of someone without access notifies nobody (inbox, stream) and the author is
told; a robot's role message about an order not theirs stays out of a worker's inbox; the
stream closes, saying why, when the token expires, the user is deactivated or their role
changes (which also ends their sessions: a new sign-in opens it again); and a reconnect
with Last-Event-ID and a fresh token gets what happened meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from contracts.events import scheduling
from deploy.local.layout import load_secrets
from deploy.local.stack import Stack
from gateway.application.key_ring import KeyRing
from gateway.application.tokens import Tokens
from tests.e2e.conftest import NEW_PASSWORD, login
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_order_lifecycle import publish
from tests.e2e.test_roles_and_reports import order_visited_by

STREAM = "/api/v1/events/stream"
QUIET_S = 5.0  # more than two inbox polls of the stream (2 s each)


@dataclass(frozen=True)
class Frame:
    event: str
    id: str | None
    data: dict[str, Any]


async def frames(reply: httpx.Response) -> AsyncIterator[Frame]:
    """Server-sent events of a stream, heartbeat comments skipped; ends with the stream."""
    event, event_id, data = "message", None, ""
    async for line in reply.aiter_lines():
        if line.startswith(":"):
            continue
        if line.startswith("event:"):
            event = line.partition(":")[2].strip()
        elif line.startswith("id:"):
            event_id = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data += line.partition(":")[2].strip()
        elif not line and data:
            yield Frame(event, event_id, json.loads(data))
            event, event_id, data = "message", None, ""


async def read_until(stream: AsyncIterator[Frame], done: Any, timeout_s: float = 30) -> list[Frame]:
    """Frames up to and including the first for which done(frame) holds."""
    seen: list[Frame] = []
    async with asyncio.timeout(timeout_s):
        async for frame in stream:
            seen.append(frame)
            if done(frame):
                return seen
    raise AssertionError(f"the stream ended first: {seen}")


async def read_for(stream: AsyncIterator[Frame], seconds: float) -> list[Frame]:
    seen: list[Frame] = []
    try:
        async with asyncio.timeout(seconds):
            async for frame in stream:
                seen.append(frame)  # noqa: PERF401 - keep what came before the timeout
    except TimeoutError:
        pass
    return seen


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_user(api: httpx.AsyncClient, role: str) -> tuple[str, dict[str, str]]:
    """A user of their own, so that deactivating or re-roling them disturbs no other test."""
    admin = await login(api, "admin")
    username = f"sec-{role}-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "display_name": username, "role": role, "password": NEW_PASSWORD}
    created = await api.post("/api/v1/users", headers=admin, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"]), await login(api, username, NEW_PASSWORD)


def short_token(stack: Stack, headers: dict[str, str], seconds: float) -> str:
    """A real access token of the stack's gateway, of the same session as the bearer of
    `headers`, that expires in `seconds` (a login's live minutes): signed with the stack's own
    key by the gateway's own code."""
    ring = KeyRing.single(load_secrets(stack.data_dir).jwt_secret)
    claims = Tokens(ring).read(headers["Authorization"].removeprefix("Bearer "))
    assert claims is not None
    return Tokens(ring, ttl=timedelta(seconds=seconds)).issue(claims)


async def order_for(api: httpx.AsyncClient, stack: Stack, who: dict[str, str]) -> str:
    """A new order with an installation visit for `who`, once they can see it."""
    return await order_visited_by(api, stack, who, "installation")


async def inbox_until(
    api: httpx.AsyncClient, who: dict[str, str], check: Any, timeout_s: float = 30
) -> list[dict[str, Any]]:
    async with asyncio.timeout(timeout_s):
        while True:
            items: list[dict[str, Any]] = (
                await api.get("/api/v1/notifications", headers=who)
            ).json()
            if check(items):
                return items
            await asyncio.sleep(0.3)


async def test_a_mention_reaches_only_people_who_may_see_the_order_and_the_author_is_told(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager, installer = await login(api, "manager"), await login(api, "installer")
    director = await login(api, "director")
    theirs = await order_for(api, stack, installer)
    secret = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()
    assert (await api.get(f"/api/v1/orders/{secret['id']}", headers=installer)).status_code == 404
    marker = f"секрет-{uuid.uuid4().hex[:8]}"
    async with api.stream("GET", STREAM, headers=installer) as reply:
        stream = frames(reply)
        assert (await anext(stream)).event == "ready"
        posted = await api.post(
            f"/api/v1/orders/{secret['id']}/comments",
            headers=manager,
            json={"text": f"@installer @Director @nobody-here {marker}"},
        )
        assert posted.status_code == 201, posted.text
        body = posted.json()
        assert [m["username"] for m in body["mentions"]] == ["director"]
        assert sorted(body["not_notified"], key=lambda n: n["username"]) == [
            {"username": "installer", "reason": "no_access"},
            {"username": "nobody-here", "reason": "unknown_user"},
        ]
        # The control: a mention on the installer's own order, written after the first one.
        ok = await api.post(
            f"/api/v1/orders/{theirs}/comments", headers=manager, json={"text": "@installer ок"}
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["not_notified"] == []
        seen = await read_until(
            stream, lambda f: f.event == "notification" and f.data["order_id"] == theirs
        )
    pushed = json.dumps([f.data for f in seen], ensure_ascii=False)
    assert marker not in pushed
    assert secret["id"] not in pushed
    assert "упомянул(а) вас" in seen[-1].data["text"]
    mine = json.dumps((await api.get("/api/v1/notifications", headers=installer)).json())
    assert marker not in mine
    assert secret["id"] not in mine
    # The one with access was notified.
    await inbox_until(api, director, lambda items: any(marker in i["text"] for i in items))


async def test_a_client_cannot_clear_its_own_mentions(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    reply = await api.post(
        f"/api/v1/orders/{oid}/comments",
        headers=manager,
        json={"text": "@installer смотри", "notify": ["installer"]},
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "invalid_input"


async def test_a_robots_message_to_a_role_reaches_only_those_who_may_see_the_order(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager, installer = await login(api, "manager"), await login(api, "installer")
    theirs = await order_for(api, stack, installer)
    secret = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    marker = uuid.uuid4().hex[:8]

    def robot(order_id: str | None, text: str) -> scheduling.NotificationRequested:
        return scheduling.NotificationRequested(
            order_id=None if order_id is None else uuid.UUID(order_id),
            role="installer",
            text_ru=f"{text} {marker}",
            text_en=f"{text} {marker}",
            rule_id="test-role-notice",
            cause_event_id=uuid.uuid4(),
        )

    async with api.stream("GET", STREAM, headers=installer) as reply:
        stream = frames(reply)
        assert (await anext(stream)).event == "ready"
        for order_id, text in ((secret, "чужой"), (None, "общий"), (theirs, "свой")):
            await publish(stack, robot(order_id, text), f"rule-{uuid.uuid4()}")
        # Each message has its own key, so they may arrive in any order: read until both
        # that are for the installer have come (the foreign one, published first, is never).
        wanted = {f"свой {marker}", f"общий {marker}"}
        arrived: set[str] = set()

        def both(frame: Any) -> bool:
            if frame.event == "notification":
                arrived.add(frame.data["text"])
            return wanted <= arrived

        seen = await read_until(stream, both)
    pushed = [f.data["text"] for f in seen if f.event == "notification"]
    assert f"чужой {marker}" not in pushed
    assert f"общий {marker}" in pushed  # about no order: the person's own
    items = await inbox_until(
        api, installer, lambda items: any(i["text"] == f"свой {marker}" for i in items)
    )
    texts = [i["text"] for i in items]
    assert f"чужой {marker}" not in texts
    assert f"общий {marker}" in texts
    # The control: the message was written, for someone who may see the order.
    director = await login(api, "director")
    assert (await api.get(f"/api/v1/orders/{secret}", headers=director)).status_code == 200


async def test_the_stream_closes_when_the_token_expires(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    _, headers = await new_user(api, "installer")
    token = short_token(stack, headers, seconds=3)
    async with api.stream("GET", STREAM, headers=bearer(token)) as reply:
        assert reply.status_code == 200
        stream = frames(reply)
        seen = await read_until(stream, lambda f: f.event == "reauth", timeout_s=15)
        assert seen[-1].data["reason"] == "token_expired"
        assert await read_for(stream, 3) == []  # and it ended
    again = await api.get(STREAM, headers=bearer(token))
    assert again.status_code == 401


async def test_the_stream_closes_when_the_user_is_deactivated(api: httpx.AsyncClient) -> None:
    user_id, headers = await new_user(api, "measurer")
    admin = await login(api, "admin")
    async with api.stream("GET", STREAM, headers=headers) as reply:
        stream = frames(reply)
        assert (await anext(stream)).event == "ready"
        changed = await api.patch(f"/api/v1/users/{user_id}", headers=admin, json={"active": False})
        assert changed.status_code == 200, changed.text
        seen = await read_until(stream, lambda f: f.event == "reauth", timeout_s=10)
        assert seen[-1].data["reason"] == "user_inactive"
        assert await read_for(stream, 3) == []
    assert (await api.get(STREAM, headers=headers)).status_code == 401


async def test_the_stream_closes_when_the_role_changes_and_reopens_under_the_new_one(
    api: httpx.AsyncClient,
) -> None:
    """The role change also ends the user's sessions (issue 14): the old token opens nothing;
    signed in again, the stream opens under the new role."""
    user_id, headers = await new_user(api, "delivery")
    username = (await api.get("/api/v1/me", headers=headers)).json()["username"]
    admin = await login(api, "admin")
    async with api.stream("GET", STREAM, headers=headers) as reply:
        stream = frames(reply)
        assert (await anext(stream)).event == "ready"
        changed = await api.patch(
            f"/api/v1/users/{user_id}", headers=admin, json={"role": "manager"}
        )
        assert changed.status_code == 200, changed.text
        seen = await read_until(stream, lambda f: f.event == "reauth", timeout_s=10)
        assert seen[-1].data["reason"] == "role_changed"
        assert await read_for(stream, 3) == []
    assert (await api.get(STREAM, headers=headers)).status_code == 401
    headers = await login(api, username, NEW_PASSWORD)
    async with api.stream("GET", STREAM, headers=headers) as reply:
        assert reply.status_code == 200  # authorised again, as who they are now
        assert (await anext(frames(reply))).event == "ready"


async def test_a_reconnect_with_last_event_id_and_a_fresh_token_misses_nothing(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    _, headers = await new_user(api, "manager")
    profile = (await api.get("/api/v1/me", headers=headers)).json()
    director = await login(api, "director")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=director)).json()["id"]
    token = short_token(stack, headers, seconds=3)
    async with api.stream("GET", STREAM, headers=bearer(token)) as reply:
        seen = await read_until(frames(reply), lambda f: f.event == "reauth", timeout_s=15)
    last = [f.id for f in seen if f.id is not None][-1]
    assert "." in last  # a cursor over both feeds
    # The gap: a comment (a chat change) mentioning them (a notification), while no stream runs.
    text = f"@{profile['username']} во время разрыва {uuid.uuid4().hex[:8]}"
    posted = await api.post(f"/api/v1/orders/{oid}/comments", headers=director, json={"text": text})
    assert posted.status_code == 201, posted.text
    assert posted.json()["not_notified"] == []
    await inbox_until(api, headers, lambda items: any(i["text"].endswith(text) for i in items))
    resume = {**headers, "Last-Event-ID": last}  # a fresh token (the login's)
    wanted = {"notification", "chat"}

    def gap_item(frame: Frame) -> bool:
        if frame.event == "notification" and frame.data["text"].endswith(text):
            wanted.discard("notification")
        if frame.event == "chat" and frame.data["order_id"] == oid:
            wanted.discard("chat")
        return not wanted

    async with api.stream("GET", STREAM, headers=resume) as reply:
        got = await read_until(frames(reply), gap_item, timeout_s=15)
    assert got[0].event == "ready"
    # An old client's plain "<seq>" still resumes the change feed.
    old = {**headers, "Last-Event-ID": last.partition(".")[0]}
    async with api.stream("GET", STREAM, headers=old) as reply:
        got = await read_until(
            frames(reply), lambda f: f.event == "chat" and f.data["order_id"] == oid
        )
    assert got[0].event == "ready"

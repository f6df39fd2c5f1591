"""The gateway's signed actor: a service believes a token signed with the internal key, for
itself, for this request, and not yet expired; nothing else (plumbing/actor.py)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from contracts.envelope import Actor
from plumbing.actor import (
    HEADER,
    TTL,
    ActorSigner,
    ActorVerifier,
    CurrentActor,
    WeakInternalKey,
    check_internal_key,
)
from plumbing.app import Runtime, create_app

KEY = secrets.token_urlsafe(48)
MANAGER = Actor(kind="user", id="7", username="anna", role="manager")


def token(
    key: str = KEY,
    service: str = "orders",
    method: str = "POST",
    target: bytes = b"/orders/1/transitions",
    now: datetime | None = None,
) -> str:
    return ActorSigner(key).headers(MANAGER, service, method, target, now)[HEADER]


def read(sent: str, method: str = "POST", target: bytes = b"/orders/1/transitions") -> Actor | None:
    return ActorVerifier(KEY, "orders").read(sent, method, target)


def test_the_gateways_token_for_this_request_names_the_actor() -> None:
    assert read(token()) == MANAGER
    query = b"/board?visible_to=7"
    assert read(token(target=query), target=query) == MANAGER


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(token(key=secrets.token_urlsafe(48)), id="another key"),
        pytest.param(token(service="media"), id="for another service"),
        pytest.param(token(method="GET"), id="for another method"),
        pytest.param(token(target=b"/orders/2/transitions"), id="for another path"),
        pytest.param(token(target=b"/orders/1/transitions?x=1"), id="for another query"),
        pytest.param(token(now=datetime.now(UTC) - TTL - timedelta(seconds=30)), id="expired"),
        pytest.param("not a token", id="garbage"),
    ],
)
def test_anything_else_is_no_actor(forged: str) -> None:
    assert read(forged) is None


@pytest.mark.parametrize("key", ["", "short", "a" * 64, "change-me"])
def test_a_missing_or_guessable_key_refuses_to_start(key: str) -> None:
    with pytest.raises(WeakInternalKey, match="INTERNAL_SIGNING_KEY"):
        check_internal_key(key)
    with pytest.raises(WeakInternalKey):
        ActorSigner(key)


async def test_a_route_ignores_plain_actor_headers() -> None:
    app = create_app("orders", Runtime())
    app.state.actor_verifier = ActorVerifier(KEY, "orders")

    @app.post("/orders/1/transitions")
    async def move(actor: CurrentActor) -> dict[str, str | None]:
        return {"role": actor.role}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
        plain: dict[str, str] = {"X-Actor-Id": "1", "X-Actor-Role": "director"}
        refused = await client.post("/orders/1/transitions", headers=plain)
        signed = await client.post("/orders/1/transitions", headers={HEADER: token()})
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")
    assert signed.status_code == 200
    assert signed.json() == {"role": "manager"}

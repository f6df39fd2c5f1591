"""Services trust the gateway by proof (plumbing/actor.py): a request sent straight to a
service with forged actor headers, or a token not signed by the gateway, is refused; the same
request through the gateway works."""

from __future__ import annotations

import secrets

import httpx
import pytest

from contracts.envelope import Actor
from deploy.local.stack import Stack
from plumbing.actor import HEADER, ActorSigner

DIRECTOR = {"X-Actor-Id": "00000000-0000-0000-0000-000000000001", "X-Actor-Role": "director"}
# One route of each service that a signed-in director could call through the gateway.
ROUTES = [
    ("orders", "GET", "/pipeline"),
    ("scheduling", "GET", "/automation/rules"),
    ("media", "GET", "/media/purposes"),
    ("notifications", "GET", "/notifications"),
    ("projections", "GET", "/board"),
]


@pytest.mark.parametrize(("service", "method", "target"), ROUTES, ids=[r[0] for r in ROUTES])
async def test_forged_actor_headers_sent_to_a_service_are_refused(
    stack: Stack, service: str, method: str, target: str
) -> None:
    forged_key = secrets.token_urlsafe(48)
    actor = Actor(kind="user", id=DIRECTOR["X-Actor-Id"], username="x", role="director")
    forged = ActorSigner(forged_key).headers(actor, service, method, target.encode())
    async with httpx.AsyncClient(base_url=stack.urls[service], timeout=10) as client:
        for headers in ({}, DIRECTOR, forged, {**DIRECTOR, HEADER: "not-a-token"}):
            reply = await client.request(method, target, headers=headers)
            assert reply.status_code == 401, (service, headers.keys(), reply.text)
            assert reply.json()["code"] == "unauthenticated"
        # Probes stay open: the kubelet and the gateway's readiness check call them.
        assert (await client.get("/healthz")).status_code == 200

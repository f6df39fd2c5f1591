"""Sign-in limits through the running gateway (issue 14, item 3), behind a proxy.

This module runs a stack of its own that trusts one proxy address, 127.0.0.2
(TRUSTED_PROXIES): requests sent from there stand for the proxy, which reports each client
in X-Forwarded-For; requests from 127.0.0.1 are a client talking to the gateway directly,
whose X-Forwarded-For means nothing. Own stack, because hammering sign-in slows the demo
users down, and every other test signs in as them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import asyncpg
import httpx
import pytest

from deploy.local.stack import Stack
from gateway.domain.login_throttle import wait_after
from tests.conftest import Infra
from tests.e2e.own_stack import own_stack

TOKEN = "/api/v1/auth/token"
PROXY = "127.0.0.2"
BURST = 50


@pytest.fixture(scope="module")
def proxied_stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    environ = {"TRUSTED_PROXIES": f"{PROXY}/32"}
    with own_stack(infra, tmp_path_factory.mktemp("proxy-stack"), "proxy", environ) as running:
        yield running


@pytest.fixture
async def proxy(proxied_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The trusted proxy: its connections come from 127.0.0.2."""
    transport = httpx.AsyncHTTPTransport(local_address=PROXY)
    async with httpx.AsyncClient(
        base_url=proxied_stack.urls["gateway"], transport=transport, timeout=60
    ) as client:
        yield client


@pytest.fixture
async def direct(proxied_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=proxied_stack.urls["gateway"], timeout=60) as client:
        yield client


async def attempt(
    client: httpx.AsyncClient, username: str, password: str, forwarded: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return await client.post(
        TOKEN, data={"username": username, "password": password}, headers=headers
    )


async def failures_of(stack: Stack, username: str) -> list[tuple[datetime, bool]]:
    conn = await asyncpg.connect(stack.urls["database"])
    try:
        rows = await conn.fetch(
            "SELECT at, checked FROM gateway.login_failures WHERE username = $1 ORDER BY at",
            username,
        )
    finally:
        await conn.close()
    return [(r["at"], r["checked"]) for r in rows]


async def test_fifty_parallel_wrong_attempts_record_fifty_and_only_the_schedule_is_checked(
    proxy: httpx.AsyncClient, proxied_stack: Stack
) -> None:
    replies = await asyncio.gather(
        *(attempt(proxy, "installer", f"guess-{i}", "198.51.100.10") for i in range(BURST))
    )
    statuses = [r.status_code for r in replies]
    assert set(statuses) <= {401, 429}, statuses
    refused = [r for r in replies if r.status_code == 429]
    # A burst no longer slips past the limit: nearly all of it waits.
    assert len(refused) >= BURST // 2, statuses
    for reply in refused:
        assert reply.json()["code"] == "too_many_attempts"
        assert 1 <= int(reply.headers["Retry-After"]) <= 60

    rows = await failures_of(proxied_stack, "installer")
    assert len(rows) == BURST  # every attempt counted, none lost to a race
    assert sum(checked for _, checked in rows) == statuses.count(401)
    # Each attempt whose password was checked came after the wait its predecessors earned.
    last_checked: datetime | None = None
    for before, (at, checked) in enumerate(rows):
        if not checked:
            continue
        if last_checked is not None:
            assert at - last_checked >= wait_after(before), (before, at, last_checked)
        last_checked = at
    # And the right password, during the wait, waits too: no one is let in by a burst.
    assert (await attempt(proxy, "installer", "demo", "198.51.100.11")).status_code == 429


async def test_the_right_password_works_once_the_wait_is_over(proxy: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await attempt(proxy, "measurer", "wrong", "198.51.100.20")).status_code == 401
    refused = await attempt(proxy, "measurer", "demo", "198.51.100.20")
    assert refused.status_code == 429
    assert "try again in" in refused.json()["detail"]
    await asyncio.sleep(int(refused.headers["Retry-After"]))
    assert (await attempt(proxy, "measurer", "demo", "198.51.100.20")).status_code == 200


async def test_behind_the_proxy_each_client_address_is_counted_on_its_own(
    proxy: httpx.AsyncClient,
) -> None:
    sprayer = "198.51.100.30"
    for i in range(20):
        reply = await attempt(proxy, f"nobody-{i}", "guess", sprayer)
        assert reply.status_code == 401, reply.text
    # The sprayer's address waits now, whatever username it tries...
    assert (await attempt(proxy, "delivery", "demo", sprayer)).status_code == 429
    # ...and writing another address in front of its own changes nothing: the proxy appends
    # the real one, and only what the proxy says is believed.
    spoofed = f"203.0.113.7, {sprayer}"
    assert (await attempt(proxy, "delivery", "demo", spoofed)).status_code == 429
    # A colleague behind the same proxy (the ingress) is not locked out with them.
    assert (await attempt(proxy, "delivery", "demo", "198.51.100.31")).status_code == 200


async def test_a_direct_caller_cannot_pick_its_address_with_forwarded_for(
    direct: httpx.AsyncClient, proxy: httpx.AsyncClient
) -> None:
    for i in range(20):
        fake = f"192.0.2.{i + 1}"  # a new address each time, were the header believed
        assert (await attempt(direct, f"ghost-{i}", "guess", fake)).status_code == 401
    # All twenty counted for the caller's real address (127.0.0.1).
    assert (await attempt(direct, "production", "demo", "192.0.2.200")).status_code == 429
    # The addresses it named were never charged.
    assert (await attempt(proxy, "production", "demo", "192.0.2.1")).status_code == 200

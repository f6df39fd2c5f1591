"""`make run`'s broker keeps its log in the stack's S3 server: restarted cleanly or killed, it
comes back with every topic, message and committed offset, so no relay republishes its log
and no consumer reads it again; the gateway's readiness says whether the read side is behind.
(Losing the broker's data is test_first_slice's broker test.)

On a stack of its own: a durable broker killed mid-write has, now and then, come back unable
to read a partition from its S3 storage for a while (Tansu: ParseInt on fetch), and the shared
stack's later tests all failed behind it. Here such a failure stays this test's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from deploy.local.broker import LocalBroker
from deploy.local.stack import Stack
from tests.conftest import Infra
from tests.e2e.conftest import login
from tests.e2e.own_stack import own_stack
from tests.e2e.test_first_slice import ORDER, wait_on_board

RELAYS = ("gateway", "orders", "scheduling", "media")
CONSUMERS = ("orders", "scheduling", "notifications", "projections")


async def counted(client: httpx.AsyncClient, url: str, metric: str, **labels: str) -> float:
    """The sum of a counter's samples whose labels include `labels`."""
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    total = 0.0
    for line in (await client.get(url + "/metrics")).text.splitlines():
        if line.startswith(metric + "{") and all(w in line for w in wanted):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def replays(stack: Stack) -> dict[str, float]:
    """Republished logs (relays) and events read again (consumers), per service."""
    async with httpx.AsyncClient(timeout=10) as client:
        found = {
            f"{name} republished": await counted(client, stack.urls[name], "relay_republish_total")
            for name in RELAYS
        }
        for name in CONSUMERS:
            found[f"{name} read again"] = await counted(
                client, stack.urls[name], "events_processed_total", outcome="duplicate"
            )
    return found


async def caught_up(stack: Stack, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            reply = await client.get(stack.urls["gateway"] + "/readyz")
            body: dict[str, object] = reply.json()
            if body.get("catching_up") is False:
                return body
            assert time.monotonic() < deadline, body
            await asyncio.sleep(0.5)


def wait_broker_back(broker: LocalBroker, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not broker.is_running():
        assert time.monotonic() < deadline, "the supervisor did not bring the broker back"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def broker_stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(infra, tmp_path_factory.mktemp("broker-stack"), "broker") as running:
        yield running


@pytest.fixture
async def broker_api(broker_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=broker_stack.urls["gateway"], timeout=30) as client:
        yield client


async def test_a_broker_restart_makes_no_relay_republish_and_no_consumer_reread(
    broker_api: httpx.AsyncClient, broker_stack: Stack
) -> None:
    api, stack = broker_api, broker_stack
    broker = stack.component("broker")
    assert isinstance(broker, LocalBroker)
    assert broker.durable, "the stack keeps the broker's log in its own S3 server"
    headers = await login(api, "manager")

    async def create(title: str) -> str:
        reply = await api.post("/api/v1/orders", json={**ORDER, "title": title}, headers=headers)
        assert reply.status_code == 201, reply.text
        return str(reply.json()["id"])

    first = {await create("до перезапуска брокера")}
    await wait_on_board(api, headers, first)
    body = await caught_up(stack)
    assert body["ready"] is True
    assert body["read_side"]["projections"]["projections"] == {"lag": 0, "caught_up": True}  # type: ignore[index]
    await asyncio.sleep(1)  # consumers commit right after applying
    before = await replays(stack)

    await asyncio.to_thread(stack.restart_component, "broker")  # SIGINT, then started again
    second = {await create("после перезапуска брокера")}
    await wait_on_board(api, headers, first | second)
    await asyncio.sleep(1)
    await asyncio.to_thread(stack.kill, "broker")  # SIGKILL; the supervisor restarts it
    await asyncio.to_thread(wait_broker_back, broker)
    third = {await create("после сбоя брокера")}
    await wait_on_board(api, headers, first | second | third)
    await asyncio.sleep(3)  # a few of each relay's loss checks (every 3 s)

    assert await replays(stack) == before
    await caught_up(stack)

"""A broker or object-store outage is lag and an alert, not the site going dark (issue 18):
while the broker is down the site answers reads and commands (commands wait in the logs),
every /readyz stays green and says the broker is away, and the relay lag rises — then falls to
nothing once the broker is back, and the command's effect reaches the board. While the object
store is down the same holds, and an upload is refused 503 with Retry-After, never 500.
A stack of its own: the outages would disturb the shared one's tests."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.local.stack import Stack
from tests.conftest import Infra
from tests.e2e.conftest import login
from tests.e2e.own_stack import own_stack

SERVICES = ("orders", "scheduling", "media", "notifications", "projections", "gateway")


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(infra, tmp_path_factory.mktemp("outages"), "outages") as running:
        yield running


async def relay_lag(stack: Stack, service: str) -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{stack.urls[service]}/metrics")).text
    found = re.findall(r"^relay_lag_events\{[^}]*\} ([0-9.e+]+)$", text, flags=re.MULTILINE)
    return max((float(v) for v in found), default=0.0)


async def every_service_ready(stack: Stack, away: str) -> None:
    """Each /readyz answers 200; those that use `away` report it as not ok."""
    async with httpx.AsyncClient(timeout=10) as client:
        for name in SERVICES:
            reply = await client.get(f"{stack.urls[name]}/readyz")
            assert reply.status_code == 200, (name, reply.text)
            deps = reply.json()["dependencies"]
            if away in deps:
                assert deps[away] != "ok", (name, deps)


async def eventually(check: object, timeout_s: float = 90.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "did not happen in time"
        await asyncio.sleep(0.5)


async def create(api: httpx.AsyncClient, head: dict[str, str], title: str) -> str:
    body = {"title": title, "customer": {"name": "Сбоев", "phone": "+7 915 000-11-22",
                                         "address": "Москва"}}  # fmt: skip
    reply = await api.post("/api/v1/orders", headers=head, json=body)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


async def on_board(api: httpx.AsyncClient, head: dict[str, str], title: str) -> bool:
    board = await api.get("/api/v1/board", headers=head, params={"q": title})
    return board.status_code == 200 and any(
        c["title"] == title for col in board.json()["columns"] for c in col["cards"]
    )


def test_the_site_serves_while_the_broker_is_down_and_catches_up_after(stack: Stack) -> None:
    title = f"Без брокера {uuid.uuid4().hex[:6]}"

    async def during() -> None:
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
            head = await login(api, "manager")
            board = await api.get("/api/v1/board", headers=head)
            assert board.status_code == 200, board.text
            await create(api, head, title)  # kept in the orders log until the broker is back

            async def lag_rose() -> bool:
                return await relay_lag(stack, "orders") > 0

            await eventually(lag_rose)
            await every_service_ready(stack, "kafka")

    async def after() -> None:
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
            head = await login(api, "manager")

            async def lag_fell() -> bool:
                return await relay_lag(stack, "orders") == 0

            await eventually(lag_fell, 180)
            await eventually(lambda: on_board(api, head, title), 180)

    with stack.down("broker"):
        asyncio.run(during())
    asyncio.run(after())


def test_uploads_wait_for_the_object_store_and_nothing_else_does(stack: Stack) -> None:
    declared = {"kind": "document", "purpose": "requirements", "filename": "ТЗ.pdf",
                "content_type": "application/pdf", "size": 44}  # fmt: skip

    async def during() -> None:
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
            head = await login(api, "manager")
            order = await create(api, head, f"Без хранилища {uuid.uuid4().hex[:6]}")
            upload = await api.post(f"/api/v1/orders/{order}/media", headers=head, json=declared)
            # Declaring a small upload signs a URL, which needs no store; a multipart one
            # opens its upload there. Either way no 5xx but 503, and the completion, which
            # must look at the stored object, waits for the store.
            assert upload.status_code in (201, 503), upload.text
            if upload.status_code == 201:
                media_id = upload.json()["media_id"]
                done = await api.post(f"/api/v1/media/{media_id}/complete", headers=head)
                upload = done
            assert upload.status_code == 503, upload.text
            assert upload.headers.get("Retry-After"), upload.headers
            assert (await api.get("/api/v1/board", headers=head)).status_code == 200
            await every_service_ready(stack, "object_store")

    async def after() -> None:
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
            head = await login(api, "manager")
            order = await create(api, head, f"С хранилищем {uuid.uuid4().hex[:6]}")
            upload = await api.post(f"/api/v1/orders/{order}/media", headers=head, json=declared)
            assert upload.status_code == 201, upload.text

    with stack.down("object-store"):
        asyncio.run(during())
    asyncio.run(after())


def test_the_stack_is_whole_again(stack: Stack) -> None:
    assert Path(stack.data_dir).exists()
    asyncio.run(every_service_ready(stack, "none"))

"""The whole system as `make run` starts it, once per test session, in a temp data folder.

It shares the session's PostgreSQL server (its own database), but runs its own S3 server and
broker, as `make run` does: the broker keeps its log in that S3 server (a restart is not a
replay), and killing the broker here disturbs no other test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from deploy.local.stack import Stack
from tests.conftest import Infra
from tests.e2e.own_stack import own_stack


@pytest.fixture(scope="session")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(infra, tmp_path_factory.mktemp("stack"), "e2e") as running:
        yield running


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str = "demo") -> dict[str, str]:
    reply = await api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}

"""The whole system as `make run` starts it, once per test session, in a temp data folder.

It shares the session's PostgreSQL server (its own database), but runs its own S3 server and
broker, as `make run` does: the broker keeps its log in that S3 server (a restart is not a
replay), and killing the broker here disturbs no other test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from deploy.local.stack import Stack
from tests.conftest import Infra


@pytest.fixture(scope="session")
def stack_database(infra: Infra) -> Iterator[str]:
    name = f"oms_e2e_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(infra.server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f"CREATE DATABASE {name}"))
    yield infra.server_url.rpartition("/")[0] + "/" + name
    asyncio.run(run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def stack(stack_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    environ = {"DATABASE_URL": stack_database}
    data: Path = tmp_path_factory.mktemp("stack")
    running = Stack(data, gateway_port=None, environ=environ)
    try:
        running.start()
        yield running
    finally:
        running.stop()  # also after a failed start: nothing half-started stays behind


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str = "demo") -> dict[str, str]:
    reply = await api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}

"""Two gateway replicas on one database, each caching who holds a session
(gateway/adapters/holder_cache.py): a deactivated user, or a session ended by any path, is
refused by both — by the one that made the change at once, by the other as soon as the
database's notification reaches it, long before its cache would expire (issue 17, step 5)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI

from gateway.adapters.holder_cache import HolderCache
from gateway.bootstrap import Settings, build
from tests.conftest import Infra
from tests.integration.test_gateway_auth import bearer, client_from

SECRET = secrets.token_urlsafe(48)
TTL_S = 600.0  # so long that only a notification can explain a refusal within the test
WITHIN_S = 20.0  # a notification arrives in milliseconds; this is a loaded machine's bound


@pytest.fixture
async def replicas(infra: Infra, database_url: str) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        db_schema=f"gw_{uuid.uuid4().hex[:10]}",
        seed_demo=True,
        jwt_secret=SECRET,
        holder_cache_s=TTL_S,
    )
    apps = build(settings), build(settings)
    async with AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
        for app in apps:
            await _until(lambda app=app: _cache(app).listening)
        yield apps


def _cache(app: FastAPI) -> HolderCache:
    holders = app.state.sign_in.holders
    assert isinstance(holders, HolderCache)
    return holders


async def _until(condition: object, within_s: float = WITHIN_S) -> None:
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + within_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the bound"
        await asyncio.sleep(0.05)


async def _refused(client: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    return (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_a_deactivated_user_is_refused_by_both_replicas(
    replicas: tuple[FastAPI, FastAPI],
) -> None:
    a, b = replicas
    async with client_from(a, "10.0.1.1") as on_a, client_from(b, "10.0.1.2") as on_b:
        admin = await bearer(on_a, "admin")
        installer = await bearer(on_a, "installer")
        for client in (on_a, on_b, on_a, on_b):
            assert (await client.get("/api/v1/me", headers=installer)).status_code == 200
        assert _cache(a)._entries
        assert _cache(b)._entries
        users = (await on_a.get("/api/v1/users", headers=admin)).json()
        installer_id = next(u["id"] for u in users if u["username"] == "installer")

        off = await on_a.patch(
            f"/api/v1/users/{installer_id}", json={"active": False}, headers=admin
        )
        assert off.status_code == 200, off.text
        assert await _refused(on_a, installer)  # the replica that made the change: at once
        refused_on_b = False
        deadline = asyncio.get_running_loop().time() + WITHIN_S
        while not refused_on_b and asyncio.get_running_loop().time() < deadline:
            refused_on_b = await _refused(on_b, installer)
            await asyncio.sleep(0.05)
        assert refused_on_b  # the other: by the notification, not by its 600 s TTL
        again = await on_b.get("/api/v1/me", headers=installer)
        assert again.json()["code"] == "user_deactivated"


async def test_a_session_ended_by_any_path_is_refused_by_both(
    replicas: tuple[FastAPI, FastAPI],
) -> None:
    """Ended straight in the database (an operator's SQL): no code of ours was told, the
    trigger's notification was."""
    a, b = replicas
    async with client_from(a, "10.0.1.3") as on_a, client_from(b, "10.0.1.4") as on_b:
        manager = await bearer(on_a, "manager")
        for client in (on_a, on_b):
            assert (await client.get("/api/v1/me", headers=manager)).status_code == 200
        await a.state.pool.execute(
            "UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout' "
            "WHERE user_id = (SELECT id FROM users WHERE username = 'manager')"
        )
        for client in (on_a, on_b):
            refused = False
            deadline = asyncio.get_running_loop().time() + WITHIN_S
            while not refused and asyncio.get_running_loop().time() < deadline:
                refused = await _refused(client, manager)
                await asyncio.sleep(0.05)
            assert refused


async def test_a_replica_forgets_all_when_its_listener_drops_and_listens_again(
    replicas: tuple[FastAPI, FastAPI],
) -> None:
    """Notifications sent while the listener was away are lost: everything cached is
    forgotten, nothing is cached until it listens again, and then caching resumes."""
    a, _ = replicas
    cache = _cache(a)
    async with client_from(a, "10.0.1.5") as on_a:
        manager = await bearer(on_a, "manager")
        assert (await on_a.get("/api/v1/me", headers=manager)).status_code == 200
        assert cache._entries
        # The listeners' connections die (a failover, a backend killed by an operator).
        killed = await a.state.pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN %\\_identity%'"
        )
        assert killed >= 1
        await _until(lambda: not cache.listening)
        assert not cache._entries
        await _until(lambda: cache.listening)
        assert (await on_a.get("/api/v1/me", headers=manager)).status_code == 200
        assert cache._entries

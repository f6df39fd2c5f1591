"""The whole system runs with one database login per service: every service's connections are
its own login's, and a login reads nothing of another service but the logs it was granted."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from deploy.database.plan import SERVICES, login_of
from deploy.local.stack import Stack
from tests.e2e.conftest import login


async def _logins_in_use(admin_url: str) -> dict[str, set[str]]:
    conn = await asyncpg.connect(admin_url)
    try:
        rows = await conn.fetch(
            "SELECT application_name, usename FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = ANY($1::text[])",
            list(SERVICES),
        )
    finally:
        await conn.close()
    seen: dict[str, set[str]] = {}
    for row in rows:
        seen.setdefault(row["application_name"], set()).add(row["usename"])
    return seen


async def test_every_service_connects_as_its_own_login(stack: Stack) -> None:
    assert stack.logins is not None, "the session's server lets the stack create roles"
    expected = {s: {login_of(stack.logins.database_urls[s])[0]} for s in SERVICES}
    assert len({next(iter(users)) for users in expected.values()}) == len(SERVICES)
    seen = await _logins_in_use(stack.urls["database"])
    assert seen == expected


async def test_a_service_login_reads_its_own_tables_and_the_granted_logs_only(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    assert stack.logins is not None
    manager = await login(api, "manager")
    reply = await api.get("/api/v1/board", headers=manager)
    assert reply.status_code == 200
    projections = await asyncpg.connect(stack.logins.database_urls["projections"])
    try:
        # The logs its rebuild replays: the demo users' events are in the gateway's outbox.
        assert await projections.fetchval("SELECT count(*) FROM gateway.outbox") > 0
        assert await projections.fetchval("SELECT count(*) FROM orders.events") > 0
        for table in ("gateway.users", "orders.idempotency_keys", "notifications.notifications"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await projections.fetch(f"SELECT * FROM {table}")
    finally:
        await projections.close()
    gateway = await asyncpg.connect(stack.logins.database_urls["gateway"])
    try:
        assert await gateway.fetchval("SELECT count(*) FROM gateway.users") > 0
        for table in ("orders.events", "projections.board_cards", "scheduling.outbox"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await gateway.fetch(f"SELECT * FROM {table}")
    finally:
        await gateway.close()


async def test_the_analyst_login_sees_the_reporting_views(stack: Stack) -> None:
    assert stack.logins is not None
    analyst = await asyncpg.connect(stack.logins.analyst_url)
    try:
        # Demo orders are seeded through the API; the views follow the read models.
        for _ in range(100):
            if await analyst.fetchval("SELECT count(*) FROM reporting.orders"):
                break
            await asyncio.sleep(0.2)
        assert await analyst.fetchval("SELECT count(*) FROM reporting.orders") > 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await analyst.fetch("SELECT * FROM projections.board_cards")
    finally:
        await analyst.close()

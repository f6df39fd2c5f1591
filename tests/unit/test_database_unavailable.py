"""A request that meets PostgreSQL down answers 503 with Retry-After, never 500 (API.md): its
transaction never committed, so a retry is safe. A bug stays a 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from plumbing.app import Runtime, create_app
from plumbing.db import unavailable


def _failing(exc: BaseException) -> FastAPI:
    app = create_app("outage-test", Runtime())

    @app.get("/boom")
    async def boom() -> None:
        raise exc

    return app


async def _get(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/boom")


def _caused(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


OUTAGES = [
    ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.InterfaceError("connection is closed"),
    asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
    _caused(RuntimeError("while appending"), ConnectionResetError()),
    ExceptionGroup("task group", [ValueError("x"), ConnectionRefusedError()]),
]


@pytest.mark.parametrize("exc", OUTAGES, ids=lambda e: type(e).__name__)
async def test_the_database_away_is_a_503_with_retry_after(exc: BaseException) -> None:
    assert unavailable(exc)
    reply = await _get(_failing(exc))
    assert reply.status_code == 503, reply.text
    assert reply.headers["Retry-After"] == "2"
    assert reply.json()["code"] == "database_unavailable"
    assert reply.json()["retry_after"] == 2
    assert "5432" not in reply.text
    assert "127.0.0.1" not in reply.text


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        asyncpg.UniqueViolationError("duplicate key"),
        KeyError("order"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_bug_is_still_a_500_that_names_nothing(exc: BaseException) -> None:
    assert not unavailable(exc)
    reply = await _get(_failing(exc))
    assert reply.status_code == 500
    assert reply.json() == {"detail": "internal error", "code": "internal_error"}

"""Login and user administration in the gateway, on real PostgreSQL: hashed passwords,
failed attempts slowed per user and per address (never a lockout), the same password work for
unknown users, old rows pruned, users published as identity events."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from gateway.application import tokens
from gateway.application.sign_in import SignIn
from gateway.bootstrap import Settings, build
from tests.conftest import Infra

SECRET = secrets.token_urlsafe(48)  # the gateway refuses short or guessable keys


@pytest.fixture
async def app(infra: Infra, database_url: str) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        db_schema=f"gw_{uuid.uuid4().hex[:10]}",
        seed_demo=True,
        jwt_secret=SECRET,
    )
    application = build(settings)
    async with application.router.lifespan_context(application):
        yield application


@asynccontextmanager
async def client_from(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        yield client


async def login(client: httpx.AsyncClient, username: str, password: str = "demo") -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )


async def bearer(
    client: httpx.AsyncClient, username: str, password: str = "demo"
) -> dict[str, str]:
    reply = await login(client, username, password)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def test_failed_logins_slow_a_user_down_and_the_right_password_works_after_the_wait(
    app: FastAPI,
) -> None:
    async with client_from(app, "10.0.0.1") as client:
        for _ in range(5):
            assert (await login(client, "installer", "wrong")).status_code == 401
        refused = await login(client, "installer")  # even the right password, for now
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_attempts"
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 60
        assert refused.json()["retry_after"] == wait
        assert (await login(client, "measurer")).status_code == 200  # other users are fine
        await asyncio.sleep(wait)
        assert (await login(client, "installer")).status_code == 200  # no lockout
        # The success forgot the failures: one more typo is only a 401.
        assert (await login(client, "installer", "wrong")).status_code == 401


async def test_failed_logins_are_slowed_per_address(app: FastAPI) -> None:
    async with client_from(app, "10.0.0.2") as attacker:
        for i in range(20):
            assert (await login(attacker, f"guess{i}", "wrong")).status_code == 401
        assert (await login(attacker, "delivery")).status_code == 429
    async with client_from(app, "10.0.0.3") as colleague:
        assert (await login(colleague, "delivery")).status_code == 200


async def test_unknown_and_inactive_users_cost_a_password_check_too(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = tokens.verify_nobody

    def counting(password: str) -> bool:
        checked.append(password)
        return real(password)

    # Where the sign-in looks it up (it imported the name).
    monkeypatch.setattr("gateway.application.sign_in.verify_nobody", counting)
    async with client_from(app, "10.0.0.6") as client:
        admin = await bearer(client, "admin")
        me = (await client.get("/api/v1/users", headers=admin)).json()
        production = next(u for u in me if u["username"] == "production")
        off = await client.patch(
            f"/api/v1/users/{production['id']}", json={"active": False}, headers=admin
        )
        assert off.status_code == 200
        assert (await login(client, "nobody-here", "guess-1")).status_code == 401
        assert (await login(client, "production", "demo")).status_code == 401
    assert checked == ["guess-1", "demo"]


async def test_old_failures_and_ended_sessions_are_pruned(app: FastAPI) -> None:
    pool = app.state.pool
    await pool.execute(
        "INSERT INTO login_failures (username, address, at) VALUES "
        "('old', '10.0.0.7', now() - interval '1 hour'), ('new', '10.0.0.7', now())"
    )
    sign_in: SignIn = app.state.sign_in
    # The gateway's own pruning job may get there first (it runs at start): what counts is
    # that the old rows are gone and the new ones kept, not who removed them.
    await sign_in.attempts.prune()
    left = {r["username"] for r in await pool.fetch("SELECT username FROM login_failures")}
    assert "old" not in left
    assert "new" in left
    async with client_from(app, "10.0.0.8") as client:
        assert (await login(client, "director")).status_code == 200
    await pool.execute(
        "UPDATE sessions SET revoked_at = now() - interval '2 days', revoked_reason = 'logout'"
    )
    await sign_in.sessions.prune()
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0
    assert await pool.fetchval("SELECT count(*) FROM refresh_tokens") == 0


async def test_successful_logins_are_never_counted(app: FastAPI) -> None:
    async with client_from(app, "10.0.0.4") as client:
        for _ in range(30):
            assert (await login(client, "production")).status_code == 200


async def test_an_admin_manages_users_and_each_change_is_an_identity_event(app: FastAPI) -> None:
    async with client_from(app, "10.0.0.5") as client:
        admin = await bearer(client, "admin")
        manager = await bearer(client, "manager")
        body = {
            "username": "petrov",
            "display_name": "Пётр Петров",
            "role": "installer",
            "password": "Sturdy-Larch-1987",
        }
        created = await client.post("/api/v1/users", json=body, headers=admin)
        assert created.status_code == 201, created.text
        user_id = created.json()["id"]
        assert (await client.post("/api/v1/users", json=body, headers=admin)).status_code == 409
        bad_role = {**body, "username": "x1", "role": "boss"}
        assert (await client.post("/api/v1/users", json=bad_role, headers=admin)).status_code == 422
        assert (await client.post("/api/v1/users", json=body, headers=manager)).status_code == 403
        assert (await client.get("/api/v1/users", headers=manager)).status_code == 403

        weak = {**body, "username": "weakling", "password": "secret1234"}
        refused = await client.post("/api/v1/users", json=weak, headers=admin)
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "weak_password"
        assert "too easy to guess" in refused.json()["detail"]

        petrov = await bearer(client, "petrov", "Sturdy-Larch-1987")
        assert (await client.get("/api/v1/me", headers=petrov)).json()["role"] == "installer"
        off = await client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)
        assert off.status_code == 200
        assert (await client.get("/api/v1/me", headers=petrov)).status_code == 401
        assert (await login(client, "petrov", "Sturdy-Larch-1987")).status_code == 401
        reset = {"active": True, "password": "Quiet-Birch-2044", "role": "measurer"}
        assert (
            await client.patch(f"/api/v1/users/{user_id}", json=reset, headers=admin)
        ).status_code == 200
        again = await bearer(client, "petrov", "Quiet-Birch-2044")
        assert (await client.get("/api/v1/me", headers=again)).json()["role"] == "measurer"
        unknown = await client.patch(
            f"/api/v1/users/{uuid.uuid4()}", json={"active": False}, headers=admin
        )
        assert unknown.status_code == 404

    pool = app.state.pool
    types = [
        r["type"]
        for r in await pool.fetch(
            "SELECT envelope->>'type' AS type FROM outbox WHERE envelope->>'stream_id' = $1 "
            "ORDER BY position",
            f"user-{user_id}",
        )
    ]
    assert types == ["identity.UserRegistered", "identity.UserUpdated", "identity.UserUpdated"]
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE username = 'petrov'")
    assert stored.startswith("$argon2")


async def test_many_streams_callers_are_rechecked_in_one_ask_each_as_holder_of_says(
    app: FastAPI,
) -> None:
    """The live streams' re-check (issue 17): one query for every open stream's session,
    with the same answer per session as the per-request check."""
    sign_in: SignIn = app.state.sign_in
    async with client_from(app, "10.0.0.9") as client:
        logins = [await login(client, name) for name in ("manager", "director", "manager")]
    ring = app.state.tokens
    claims = [ring.read(r.json()["access_token"]) for r in logins]
    assert all(c is not None for c in claims)
    known = [c for c in claims if c is not None]
    stranger = tokens.TokenClaims(known[0].user_id, "x", "manager", str(uuid.uuid4()))
    garbled = tokens.TokenClaims("not-a-uuid", "x", "manager", "nor-this")
    await app.state.pool.execute(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE id = $1",
        uuid.UUID(known[2].session_id),
    )
    many = [*known, stranger, garbled]
    batched = await sign_in.holders_of(many)
    one_by_one = [await sign_in.holder_of(c) for c in many]
    assert batched == one_by_one
    assert [h is not None and h.live for h in batched] == [True, True, False, False, False]
    assert await sign_in.holders_of([]) == []

"""Every route of the gateway declares exactly one capability (contracts/roles.py), and the
declaration is what is enforced: a role without it gets 403, nobody signed in 401."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Header

from contracts.roles import CAPABILITIES, ROLES, Capability, may
from gateway.bootstrap import Settings, build
from gateway.domain.users import User
from gateway.entrypoints import deps
from gateway.entrypoints.capability_doc import route_capabilities
from gateway.entrypoints.deps import PUBLIC, Needs
from plumbing.app import install_error_handlers

# Routes the gateway gets from plumbing (every service's probes and metrics: Kubernetes and
# Prometheus carry no token): public by design, and not the gateway's to declare. FastAPI's
# own pages (the API's description) are not API routes and are not walked.
PLUMBING_PROBES = {"/healthz", "/readyz", "/metrics"}


def gateway_routes() -> list[tuple[str, str, list[Capability]]]:
    """(methods, path, declared capabilities) of every route the gateway app serves."""
    app = build(Settings(jwt_secret=secrets.token_urlsafe(48)))
    found = []
    for methods, path, route, declared in route_capabilities(app):
        if route.endpoint.__module__ == "plumbing.app":
            assert path in PLUMBING_PROBES, f"{path}: a new plumbing route"
            continue
        found.append((",".join(sorted(methods)), path, declared))
    return found


def test_the_openapi_names_each_operations_capability() -> None:
    app = build(Settings(jwt_secret=secrets.token_urlsafe(48)))
    declared = {(m, p): d[0] for ms, p, _, d in route_capabilities(app) for m in ms if d}
    operations = app.openapi()["paths"]
    named = {
        (m.upper(), p): op.get("x-capability")
        for p, ops in operations.items()
        for m, op in ops.items()
    }
    assert named
    assert all(named[key] == declared[key] for key in named), named


def test_every_gateway_route_declares_exactly_one_capability() -> None:
    routes = gateway_routes()
    assert len(routes) > 40  # the walk itself works: it sees the included routers' routes
    undeclared = [f"{m} {p}" for m, p, declared in routes if len(declared) != 1]
    assert not undeclared, f"routes without exactly one capability: {undeclared}"
    unknown = {c for _, _, declared in routes for c in declared} - set(CAPABILITIES)
    assert not unknown


def test_the_sensitive_routes_need_what_domain_and_api_say() -> None:
    declared = {f"{m} {p}": d[0] for m, p, d in gateway_routes()}
    assert declared["POST /api/v1/auth/token"] == "public"
    assert declared["GET /api/v1/users"] == "users.admin"
    assert declared["PATCH /api/v1/users/{user_id}"] == "users.admin"
    assert declared["PUT /api/v1/pipeline"] == "pipeline.edit"
    assert declared["GET /api/v1/pipeline/open-orders"] == "pipeline.edit"
    assert declared["PUT /api/v1/automation/rules/{rule_id}"] == "rules.edit"
    assert declared["PUT /api/v1/orders/{order_id}/deal"] == "deal.write"
    assert declared["POST /api/v1/orders/{order_id}/transitions"] == "stage.move"
    assert declared["POST /api/v1/orders/{order_id}/production/finished"] == "production.finish"
    assert declared["GET /api/v1/reports/{name}"] == "reports.read"
    assert declared["GET /"] == "public"
    assert declared["GET /api/v1/customers/directory"] == "orders.see_all"
    assert declared["GET /api/v1/customers/{phone}"] == "orders.see_all"


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """An app with one route per kind of declaration; the signed-in user is the role named
    in the `X-Role` header (the token check itself is tests/unit/test_tokens.py's)."""
    app = FastAPI()
    install_error_handlers(app)
    seen: dict[str, str] = {}

    @app.get("/deal")
    async def deal(user: Annotated[User, Depends(Needs("deal.write"))]) -> str:
        seen["role"] = user.role
        return "ok"

    @app.get("/open", dependencies=[PUBLIC])
    async def open_route() -> str:
        return "ok"

    async def fake_user(x_role: Annotated[str | None, Header()] = None) -> User:
        if x_role is None:
            raise deps.Unauthenticated("no token")
        return User(uuid.uuid4(), x_role, x_role, x_role, active=True, password_hash="")

    app.dependency_overrides[deps.current_user] = fake_user
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as http:
        yield http, seen


@pytest.mark.parametrize("role", ROLES)
async def test_a_capability_is_enforced_for_every_role_as_the_table_says(
    client: tuple[httpx.AsyncClient, dict[str, str]], role: str
) -> None:
    http, seen = client
    reply = await http.get("/deal", headers={"X-Role": role})
    if may(role, "deal.write"):
        assert reply.status_code == 200
        assert seen["role"] == role
    else:
        assert reply.status_code == 403
        assert "deal.write" in reply.json()["detail"]


async def test_nobody_signed_in_gets_401_and_a_public_route_needs_nothing(
    client: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, _ = client
    assert (await http.get("/deal")).status_code == 401
    assert (await http.get("/open")).status_code == 200
    assert (await http.get("/deal", headers={"X-Role": "root"})).status_code == 403

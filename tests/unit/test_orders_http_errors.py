"""The orders domain's errors carry no HTTP status; the entrypoints map them in one table
(entrypoints/errors.py) to the API's shape: `{"detail", "code", ...}` with a fitting status."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from plumbing.actor import ActorVerifier
from plumbing.app import Runtime, create_app
from services.orders.adapters.memory_event_store import MemoryEventStore, MemoryOrderNumbers
from services.orders.adapters.pipeline_store import MemoryPipelineStore, MemoryUserDirectory
from services.orders.application.pipelines import Pipelines
from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders
from services.orders.domain import errors
from services.orders.entrypoints import errors as mapping
from services.orders.entrypoints import http, http_commands
from tests.actors import KEY, service_client

HEADERS = {
    "x-actor-id": str(uuid.uuid4()),
    "x-actor-username": "manager",
    "x-actor-role": "manager",
}
NEW_ORDER = {
    "title": "Шкаф",
    "customer": {"name": "Иванов", "phone": "+7 915 123-45-67", "address": "Москва"},
}


def kinds(root: type[errors.OrderError]) -> set[type[errors.OrderError]]:
    found = set()
    for sub in root.__subclasses__():
        found |= {sub, *kinds(sub)}
    return found


def test_every_kind_of_order_error_has_a_status() -> None:
    assert kinds(errors.OrderError) <= set(mapping.STATUS)


def test_domain_errors_know_nothing_of_http() -> None:
    assert not hasattr(errors.GateUnmet, "status")
    assert "plumbing" not in Path(errors.__file__).read_text(encoding="utf-8")


async def service() -> FastAPI:
    pipelines = Pipelines(MemoryPipelineStore())
    await pipelines.ensure_default()
    core = OrderService(MemoryEventStore(), pipelines)
    app = create_app("orders-test", Runtime())
    app.state.actor_verifier = ActorVerifier(KEY, "orders")
    app.state.core = core
    app.state.orders = Orders(core, MemoryOrderNumbers(), MemoryUserDirectory())
    app.include_router(http.router)
    app.include_router(http_commands.router)
    mapping.install(app)
    return app


async def call(app: FastAPI, method: str, path: str, body: Any = None) -> httpx.Response:
    async with service_client(app, "http://orders", raise_app_exceptions=False) as client:
        return await client.request(method, path, json=body, headers=HEADERS)


async def new_order(app: FastAPI) -> str:
    reply = await call(app, "POST", "/orders", NEW_ORDER)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


async def test_an_unmet_gate_is_a_409_listing_every_condition() -> None:
    app = await service()
    oid = await new_order(app)
    reply = await call(app, "POST", f"/orders/{oid}/transitions", {"to": "measurement"})
    assert reply.status_code == 409
    body = reply.json()
    assert body["code"] == "gate_unmet"
    assert body["detail"]
    assert [u["code"] for u in body["unmet"]] == ["documents_missing"]


async def test_refusals_keep_their_statuses() -> None:
    app = await service()
    oid = await new_order(app)
    unknown = await call(app, "POST", f"/orders/{oid}/transitions", {"to": "warehouse"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_stage")
    missing = await call(app, "GET", f"/orders/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_a_customer_edit_with_a_stale_version_is_a_409() -> None:
    app = await service()
    oid = await new_order(app)
    path = f"/orders/{oid}/customer"
    stale = await call(app, "PATCH", path, {"name": "Петров", "expected_version": 0})
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "the order is at version 1, not 0",
        "code": "version_conflict",
        "version": 1,
    }

    fresh = await call(app, "PATCH", path, {"phone": "8 (999) 0001122", "expected_version": 1})
    assert fresh.status_code == 200, fresh.text
    card = fresh.json()
    assert card["version"] == 2
    assert card["customer"]["name"] == "Иванов"
    assert card["customer"]["phone"] == "+79990001122"

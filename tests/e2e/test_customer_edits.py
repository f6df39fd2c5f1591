"""Customer edits through the running system (issue 10): a partial edit is merged inside the
command on the order's current state, so racing edits of different fields all land, and a
client that says which version it saw gets a 409 when the order has moved on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER


async def patch(
    api: httpx.AsyncClient, headers: dict[str, str], oid: str, body: dict[str, Any]
) -> httpx.Response:
    return await api.patch(f"/api/v1/orders/{oid}/customer", json=body, headers=headers)


async def test_racing_edits_of_different_fields_all_land(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    edits: list[dict[str, Any]] = [
        {"name": "Петров Пётр"},
        {"phone": "8 (999) 000-11-22"},
        {"address": {"city": "Тверь", "street": "Советская", "building": "5"}},
    ]
    replies = await asyncio.gather(*(patch(api, manager, oid, e) for e in edits))
    assert [r.status_code for r in replies] == [200, 200, 200], [r.text for r in replies]

    order = (await api.get(f"/api/v1/orders/{oid}", headers=manager)).json()
    assert order["version"] == 4  # created + three edits, none lost
    assert order["customer"]["name"] == "Петров Пётр"
    assert order["customer"]["phone"] == "+79990001122"
    assert order["customer"]["address"]["city"] == "Тверь"


async def test_an_edit_on_a_stale_version_is_a_409(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    created = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()
    oid, seen = created["id"], created["version"]
    first = await patch(api, manager, oid, {"name": "Петров Пётр", "expected_version": seen})
    assert first.status_code == 200, first.text

    stale = await patch(api, manager, oid, {"phone": "+79990001122", "expected_version": seen})
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert stale.json()["detail"]
    order = (await api.get(f"/api/v1/orders/{oid}", headers=manager)).json()
    assert order["customer"]["phone"] == created["customer"]["phone"]


async def test_a_manager_reassigned_on_a_stale_card_is_a_409(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    director = await login(api, "director")
    me = (await api.get("/api/v1/me", headers=director)).json()
    created = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()
    oid, seen = created["id"], created["version"]
    edit = await patch(api, manager, oid, {"name": "Петров Пётр", "expected_version": seen})
    assert edit.status_code == 200, edit.text

    path = f"/api/v1/orders/{oid}/manager"
    body = {"manager_id": me["id"], "expected_version": seen}
    stale = await api.put(path, json=body, headers=manager)
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "version_conflict"
    fresh = {"manager_id": me["id"], "expected_version": edit.json()["version"]}
    assigned = await api.put(path, json=fresh, headers=manager)
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["manager"]["id"] == me["id"]

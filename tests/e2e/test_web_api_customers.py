"""Finding a customer by phone for the create-order form, through the running stack: any
Russian form of the number finds the same customer with their orders, most recent first; a
fragment is a 422 that says why; only those who create orders may ask."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
from pydantic import TypeAdapter

from contracts.api.customers import CUSTOMERS
from tests.e2e.conftest import login
from tests.e2e.test_real_services_flow import eventually


def a_number() -> tuple[str, str]:
    """A fresh mobile number nobody else's test uses: (its ten digits, as typed on a form)."""
    digits = "9" + "".join(random.choices("0123456789", k=9))
    typed = f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
    return digits, typed


async def order(
    api: httpx.AsyncClient, head: dict[str, str], name: str, phone: str, address: str
) -> dict[str, Any]:
    body = {
        "title": f"Кухня {name}",
        "customer": {"name": name, "phone": phone, "address": address},
    }
    reply = await api.post("/api/v1/orders", headers=head, json=body)
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


async def find(api: httpx.AsyncClient, head: dict[str, str], phone: str) -> httpx.Response:
    return await api.get("/api/v1/customers", headers=head, params={"phone": phone})


async def test_any_form_of_the_number_finds_the_customer_and_their_orders(
    api: httpx.AsyncClient,
) -> None:
    manager, director = await login(api, "manager"), await login(api, "director")
    digits, typed = a_number()
    name = f"Телефонова Алла {uuid.uuid4().hex[:6]}"
    first = await order(api, manager, name, typed, "Москва, Мира, 1")
    second = await order(api, director, name, f"8 ({digits[:3]}) {digits[3:]}", "Химки, Ленина, 2")
    other = await order(api, manager, f"Соседов {uuid.uuid4().hex[:6]}", typed, "Москва, Мира, 3")

    async def both_found() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = (await find(api, manager, typed)).json()
        orders = {o["id"] for c in found for o in c["orders"]}
        return found if {first["id"], second["id"], other["id"]} <= orders else None

    found = await eventually(both_found)
    TypeAdapter(CUSTOMERS.declared).validate_python(found)
    by_name = {c["name"]: c for c in found}
    assert set(by_name) == {name, other["customer"]["name"]}
    customer = by_name[name]
    assert customer["phone"] == f"+7{digits}"
    assert [o["id"] for o in customer["orders"]] == [second["id"], first["id"]]  # newest first
    assert customer["address_text"] == "Химки, Ленина, 2"  # the most recent order's
    newest = customer["orders"][0]
    assert newest == {
        "id": second["id"],
        "number": second["number"],
        "title": second["title"],
        "stage": "intake",
        "stage_title": newest["stage_title"],
    }
    assert newest["stage_title"]
    for form in (
        f"8 ({digits[:3]}) {digits[3:6]} {digits[6:8]} {digits[8:]}",
        f"7{digits}",
        f"8{digits}",
        digits,
        f"+7-{digits[:3]}-{digits[3:]}",
    ):
        reply = await find(api, director, form)
        assert reply.status_code == 200, reply.text
        assert reply.json() == found, form


async def test_a_number_nobody_ordered_from_finds_nobody(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    _, typed = a_number()
    reply = await find(api, manager, typed)
    assert reply.status_code == 200, reply.text
    assert reply.json() == []


async def test_a_fragment_of_a_number_is_422_saying_why(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    for fragment in ("916 123 45", "+7", "phone", ""):
        reply = await find(api, manager, fragment)
        assert reply.status_code == 422, (fragment, reply.text)
        assert reply.json()["code"] == "invalid_phone"
        assert "10 digits" in reply.json()["detail"]
    missing = await api.get("/api/v1/customers", headers=manager)
    assert missing.status_code == 422
    assert missing.json()["code"] == "invalid_input"


async def test_only_those_who_create_orders_may_look_customers_up(
    api: httpx.AsyncClient,
) -> None:
    _, typed = a_number()
    for role in ("measurer", "installer", "delivery", "production", "admin"):
        reply = await find(api, await login(api, role), typed)
        assert reply.status_code == 403, (role, reply.text)
        assert "orders.create" in reply.json()["detail"]
    assert (await api.get("/api/v1/customers", params={"phone": typed})).status_code == 401

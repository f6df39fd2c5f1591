"""The customer directory and a customer's page through the running stack (issue 20): orders
created with several forms of one number make one customer with all their orders; the
directory finds them by any form of the number and by a part of the name; a customer's page
lists every order newest first; only those who see every order may read either."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
from pydantic import TypeAdapter

from contracts.api.customers import CUSTOMER_PAGE, DIRECTORY
from tests.e2e.conftest import login
from tests.e2e.test_real_services_flow import eventually
from tests.e2e.test_web_api_customers import a_number, order


async def directory(api: httpx.AsyncClient, head: dict[str, str], q: str) -> dict[str, Any]:
    reply = await api.get("/api/v1/customers/directory", headers=head, params={"q": q})
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    TypeAdapter(DIRECTORY.declared).validate_python(found)
    return found


async def test_one_customer_per_number_found_by_any_form_and_by_name(
    api: httpx.AsyncClient,
) -> None:
    manager, director = await login(api, "manager"), await login(api, "director")
    digits, typed = a_number()
    tag = "".join(random.choices("абвгдежзиклмнопрстуфхцчшщэюя", k=8))  # no digits: a name
    name = f"Справочникова Ольга {tag}"
    first = await order(api, manager, name, typed, "Москва, Мира, 1")
    second = await order(api, director, name, f"8 ({digits[:3]}) {digits[3:]}", "Химки, Ленина, 2")
    third = await order(api, manager, f"Ольга {tag}", f"8-{digits[:3]}-{digits[3:]}", "Химки, 2")
    key = f"7{digits}"

    async def all_three() -> dict[str, Any] | None:
        found = await directory(api, manager, typed)
        rows = found["customers"]
        return rows[0] if rows and rows[0]["orders"] == 3 else None

    row = await eventually(all_three)
    assert row["digits"] == key
    assert row["name"] == f"Ольга {tag}"  # the most recent order's
    assert row["open_orders"] == 3
    for q in (
        f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        f"8 ({digits[:3]}) {digits[3:6]} {digits[6:8]} {digits[8:]}",
        f"8{digits}",
        digits,
        f"{digits[3:6]}-{digits[6:8]}-{digits[8:]}",  # a part of the number
        f"ольга {tag.upper()}",
        tag,
    ):
        found = await directory(api, director, q)
        assert [c["digits"] for c in found["customers"]] == [key], q
        assert found["total"] == 1, q

    # Everyone, most recently active first: the customer just made leads.
    everyone = await directory(api, manager, "")
    assert everyone["total"] >= 1
    assert everyone["customers"][0]["digits"] == key

    reply = await api.get(f"/api/v1/customers/{key}", headers=manager, params={"lang": "en"})
    assert reply.status_code == 200, reply.text
    page = reply.json()
    TypeAdapter(CUSTOMER_PAGE.declared).validate_python(page)
    assert page["customer"]["orders"] == 3
    assert [o["id"] for o in page["orders"]] == [third["id"], second["id"], first["id"]]
    assert page["orders"][0]["stage_title"]
    assert page["names"] == [f"Ольга {tag}", name]
    addresses = [a["text"] for a in page["addresses"]]
    assert addresses == ["Химки, 2", "Химки, Ленина, 2", "Москва, Мира, 1"]
    # The 8… form of the number names the same customer.
    again = await api.get(f"/api/v1/customers/8{digits}", headers=director)
    assert again.status_code == 200, again.text
    assert again.json()["customer"]["digits"] == key


async def test_only_those_who_see_every_order_read_the_directory(api: httpx.AsyncClient) -> None:
    digits, _ = a_number()
    for role in ("measurer", "installer", "delivery", "production", "admin"):
        head = await login(api, role)
        for path in ("/api/v1/customers/directory", f"/api/v1/customers/7{digits}"):
            reply = await api.get(path, headers=head)
            assert reply.status_code == 403, (role, path, reply.text)
            assert "orders.see_all" in reply.json()["detail"]
    assert (await api.get("/api/v1/customers/directory")).status_code == 401


async def test_unknown_and_malformed_numbers_say_why(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    digits, _ = a_number()
    unknown = await api.get(f"/api/v1/customers/7{digits}", headers=manager)
    assert unknown.status_code == 404, unknown.text
    for bad in ("12345", "7916abc4567", "7" * 16):
        reply = await api.get(f"/api/v1/customers/{bad}", headers=manager)
        assert reply.status_code == 422, (bad, reply.text)
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"q": "x" * 101}):
        reply = await api.get("/api/v1/customers/directory", headers=manager, params=params)
        assert reply.status_code == 422, (params, reply.text)
    nobody = await directory(api, manager, f"нетакого {uuid.uuid4().hex}")
    assert nobody == {"total": 0, "offset": 0, "customers": []}

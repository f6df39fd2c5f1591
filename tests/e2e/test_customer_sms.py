"""Issue 20, item 3, as `make run` runs it: a manager records the customer's consent on the
order, books a visit, and the notifications service schedules one SMS to the customer for
18:00 (company time) the evening before, with the visit's window and nothing commercial; the
admins' deliveries screen shows it for the order, and withdrawing the consent cancels it.
The visit is days away, so nothing here depends on the hour the test runs (the sending at
18:00 is tests/integration/test_customer_sms.py's, on the test's clock)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER

HOUR = timedelta(hours=1)
COMPANY = ZoneInfo("Europe/Moscow")  # the services' default COMPANY_TIMEZONE


async def _sms_of(
    api: httpx.AsyncClient, admin: dict[str, str], order_id: str, state: str
) -> list[dict[str, Any]]:
    for _ in range(150):  # the consumer hears of it within seconds
        reply = await api.get(
            "/api/v1/notifications/deliveries",
            headers=admin,
            params={"order_id": order_id, "state": state},
        )
        assert reply.status_code == 200, reply.text
        rows = [d for d in reply.json() if d["channel"] == "sms"]
        if rows:
            return rows
        await asyncio.sleep(0.2)
    return []


async def test_a_consenting_customer_gets_one_sms_scheduled_for_the_evening_before(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager = await login(api, "manager")
    admin = await login(api, "admin")
    created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
    assert created.status_code == 201, created.text
    order_id, phone = created.json()["id"], created.json()["customer"]["phone"]

    consent = await api.put(
        f"/api/v1/orders/{order_id}/sms-consent", json={"consent": True}, headers=manager
    )
    assert consent.status_code == 200, consent.text
    assert consent.json()["sms_consent"]["consent"] is True
    # Named as the office knows the manager (the gateway owns names; orders keeps the login).
    assert consent.json()["sms_consent"]["by"]["display_name"] == "Мария Петрова"
    card = await api.get(f"/api/v1/orders/{order_id}", headers=manager)
    assert card.json()["sms_consent"]["by"]["display_name"] == "Мария Петрова"

    crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "installer"})).json()
    member = next(c for c in crew if c["username"] == "installer")
    start = datetime.now().astimezone() + timedelta(days=3)
    schedule = await api.get(
        f"/api/v1/crew/{member['id']}/schedule",
        headers=manager,
        params={"from": start.isoformat(), "to": (start + timedelta(days=14)).isoformat()},
    )
    begins = next(
        datetime.fromisoformat(f["starts_at"])
        for f in schedule.json()["free"]
        if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"]) >= 2 * HOUR
    ).replace(microsecond=0)
    body = {
        "kind": "installation",
        "assignee_id": member["id"],
        "starts_at": begins.isoformat(),
        "ends_at": (begins + 2 * HOUR).isoformat(),
    }
    for _ in range(50):  # scheduling may not have heard of the brand-new order yet
        booked = await api.post(f"/api/v1/orders/{order_id}/visits", json=body, headers=manager)
        if booked.status_code != 404:
            break
        await asyncio.sleep(0.2)
    assert booked.status_code == 201, booked.text

    [sms] = await _sms_of(api, admin, order_id, "pending")
    local = begins.astimezone(COMPANY)
    window = f"с {local:%H:%M} до {(local + 2 * HOUR):%H:%M}"
    assert sms["text"] == f"Монтажники приедут завтра {window}. Мебельная фабрика"
    assert sms["address"] == phone
    assert sms["user_id"] is None
    due = datetime.fromisoformat(sms["next_attempt_at"])
    assert due == datetime.combine(local.date() - timedelta(days=1), time(18), COMPANY)

    withdrawn = await api.put(
        f"/api/v1/orders/{order_id}/sms-consent", json={"consent": False}, headers=manager
    )
    assert withdrawn.status_code == 200, withdrawn.text
    [cancelled] = await _sms_of(api, admin, order_id, "cancelled")
    assert cancelled["id"] == sms["id"]

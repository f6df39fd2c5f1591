"""PUT /orders/{id}/promised-date and the promise at creation, over HTTP: the card says it,
bad input is a 422 with a message that says why, a field role is a 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.unit.test_orders_http_errors import HEADERS, NEW_ORDER, call, new_order, service

TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


async def test_a_promise_at_creation_is_on_the_card_and_in_the_history() -> None:
    app = await service()
    reply = await call(app, "POST", "/orders", {**NEW_ORDER, "promised_date": TOMORROW})
    assert reply.status_code == 201, reply.text
    card: dict[str, Any] = reply.json()
    assert (card["promised_date"], card["version"]) == (TOMORROW, 2)
    history = (await call(app, "GET", f"/orders/{card['id']}/history")).json()
    assert history[-1]["type"] == "orders.PromisedDateSet"
    assert history[-1]["summary"].startswith("Обещано клиенту к ")


async def test_the_promise_is_changed_and_cleared() -> None:
    app = await service()
    oid = await new_order(app)
    path = f"/orders/{oid}/promised-date"
    set_ = await call(app, "PUT", path, {"promised_date": TOMORROW})
    assert (set_.status_code, set_.json()["promised_date"]) == (200, TOMORROW)
    cleared = await call(app, "PUT", path, {"promised_date": None})
    assert (cleared.status_code, cleared.json()["promised_date"]) == (200, None)


async def test_bad_days_are_a_422_that_says_why() -> None:
    app = await service()
    oid = await new_order(app)
    path = f"/orders/{oid}/promised-date"
    for bad in ("12.12.2026", "2026-02-30", 1765497600, "tomorrow"):
        reply = await call(app, "PUT", path, {"promised_date": bad})
        assert reply.status_code == 422, (bad, reply.text)
        assert "promised_date" in reply.text
    before = await call(app, "PUT", path, {"promised_date": "2020-01-01"})
    assert (before.status_code, before.json()["code"]) == (422, "promised_date_too_early")
    assert before.json()["detail"].startswith(
        "promised_date: 2020-01-01 is before the order was created"
    )
    at_creation = await call(app, "POST", "/orders", {**NEW_ORDER, "promised_date": "2020-01-01"})
    assert at_creation.status_code == 422
    missing = await call(app, "PUT", path, {})
    assert missing.status_code == 422


async def test_a_field_role_may_not_promise() -> None:
    app = await service()
    oid = await new_order(app)
    HEADERS["x-actor-role"] = "installer"
    try:
        reply = await call(app, "PUT", f"/orders/{oid}/promised-date", {"promised_date": None})
    finally:
        HEADERS["x-actor-role"] = "manager"
    assert reply.status_code == 403

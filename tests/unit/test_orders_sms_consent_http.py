"""PUT /orders/{id}/sms-consent over HTTP: the customer's answer about visit SMS is on the
card with who recorded it and when, in the history in words; the same answer twice adds no
event; bad input is a 422; a field role is a 403."""

from __future__ import annotations

from typing import Any

from tests.unit.test_orders_http_errors import HEADERS, call, new_order, service


async def test_consent_is_recorded_with_who_and_when_and_withdrawn() -> None:
    app = await service()
    oid = await new_order(app)
    path = f"/orders/{oid}/sms-consent"
    fresh = (await call(app, "GET", f"/orders/{oid}")).json()
    assert fresh["sms_consent"] is None  # never asked: no SMS
    given = await call(app, "PUT", path, {"consent": True})
    assert given.status_code == 200, given.text
    card: dict[str, Any] = given.json()
    assert card["sms_consent"]["consent"] is True
    assert card["sms_consent"]["by"] == {
        "id": HEADERS["x-actor-id"],
        "display_name": HEADERS["x-actor-username"],
    }
    assert card["sms_consent"]["at"]
    again = (await call(app, "PUT", path, {"consent": True})).json()
    assert again["version"] == card["version"]  # the same answer: no event
    withdrawn = (await call(app, "PUT", path, {"consent": False})).json()
    assert withdrawn["sms_consent"]["consent"] is False
    history = (await call(app, "GET", f"/orders/{oid}/history")).json()
    assert [h["summary"] for h in history[-2:]] == [
        "Клиент согласен на СМС о визитах",
        "Клиент отказался от СМС о визитах",
    ]


async def test_bad_input_is_a_422() -> None:
    app = await service()
    oid = await new_order(app)
    for bad in ({}, {"consent": "yes"}, {"consent": 1}, {"consent": None}):
        reply = await call(app, "PUT", f"/orders/{oid}/sms-consent", bad)
        assert reply.status_code == 422, (bad, reply.text)
        assert "consent" in reply.text


async def test_a_field_role_may_not_record_consent() -> None:
    app = await service()
    oid = await new_order(app)
    HEADERS["x-actor-role"] = "measurer"
    try:
        reply = await call(app, "PUT", f"/orders/{oid}/sms-consent", {"consent": True})
    finally:
        HEADERS["x-actor-role"] = "manager"
    assert reply.status_code == 403

"""The order as it was (GET /orders/{id}/as-of) through the running system: at a moment
between two events it shows the stage and deal recorded by then, in the caller's audience's
model (no deal for a field role, as on the card), and a moment before the order or in the
future is a 422 that says why."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_order_lifecycle import media_event, move, publish, until


def deal(amount: str) -> dict[str, str]:
    return {
        "amount": amount,
        "decor": "Зеркало",
        "finishing": "Эмаль",
        "extra_work": "",
        "payment_terms": "50% предоплата",
    }


def between(history: list[dict[str, Any]], earlier: str, later: str) -> str:
    """The midpoint between the first `earlier` event and the first `later` one after it."""
    types = [h["type"] for h in history]
    i = types.index(earlier)
    j = types.index(later, i + 1)
    a = datetime.fromisoformat(history[i]["at"])
    b = datetime.fromisoformat(history[j]["at"])
    assert a < b, (history[i], history[j])
    return (a + (b - a) / 2).isoformat()


async def as_of(
    api: httpx.AsyncClient, headers: dict[str, str], oid: str, at: str, **params: str
) -> httpx.Response:
    return await api.get(
        f"/api/v1/orders/{oid}/as-of", headers=headers, params={"at": at, **params}
    )


async def test_the_order_as_it_was_between_two_events(api: httpx.AsyncClient, stack: Stack) -> None:
    manager = await login(api, "manager")
    measurer = await login(api, "measurer")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    await publish(stack, media_event(oid, "document", "drawing"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: len(c["documents"]) == 1)
    first = await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=deal("100000"))
    assert first.status_code == 200, first.text
    moved = await move(api, manager, oid, "measurement")
    assert moved.status_code == 200, moved.text
    second = await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=deal("125000"))
    assert second.status_code == 200, second.text
    cancelled = await move(api, manager, oid, "cancelled", reason="клиент передумал")
    assert cancelled.status_code == 200, cancelled.text

    history = (await api.get(f"/api/v1/orders/{oid}/history", headers=manager)).json()
    before_move = between(history, "orders.DealTermsRecorded", "orders.StageChanged")
    after_move = between(history, "orders.StageChanged", "orders.DealTermsRecorded")

    then = await as_of(api, manager, oid, before_move)
    assert then.status_code == 200, then.text
    assert (then.json()["stage"], then.json()["deal"]["amount"]) == ("intake", "100000")
    assert then.json()["as_of"] == datetime.fromisoformat(before_move).isoformat()

    later = await as_of(api, manager, oid, after_move, lang="en")
    assert later.status_code == 200, later.text
    assert later.json()["stage"] == "measurement"
    assert later.json()["stage_title"] == "Measurement"
    assert later.json()["deal"]["amount"] == "100000"
    now = (await api.get(f"/api/v1/orders/{oid}", headers=manager)).json()
    assert (now["stage"], now["deal"]["amount"]) == ("cancelled", "125000")

    # A field role assigned to the order sees its past as it sees its card: no deal.
    me = (await api.get("/api/v1/me", headers=measurer)).json()
    task = {"title": "Позвонить клиенту", "order_id": oid, "assignee_id": me["id"]}
    made = await api.post("/api/v1/tasks", headers=manager, json=task)
    assert made.status_code == 201, made.text
    seen = await as_of(api, measurer, oid, after_move)
    for _ in range(100):  # the read side grants access once it has the task
        if seen.status_code == 200:
            break
        await asyncio.sleep(0.2)
        seen = await as_of(api, measurer, oid, after_move)
    assert seen.status_code == 200, seen.text
    assert seen.json()["stage"] == "measurement"
    assert "deal" not in seen.json()
    assert "100000" not in seen.text
    assert "Зеркало" not in seen.text


async def test_a_moment_before_the_order_or_in_the_future_is_refused(
    api: httpx.AsyncClient,
) -> None:
    manager = await login(api, "manager")
    created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
    oid = created.json()["id"]
    history = (await api.get(f"/api/v1/orders/{oid}/history", headers=manager)).json()
    born = datetime.fromisoformat(history[0]["at"])

    early = await as_of(api, manager, oid, (born - timedelta(hours=1)).isoformat())
    assert early.status_code == 422, early.text
    assert early.json()["code"] == "before_creation"
    assert "did not exist yet" in early.json()["detail"]
    assert datetime.fromisoformat(early.json()["created_at"]) == born

    future = await as_of(api, manager, oid, (born + timedelta(days=3650)).isoformat())
    assert (future.status_code, future.json()["code"]) == (422, "moment_in_future")

    for bad in ("yesterday", "2026-03-01T10:00:00", "1700000000"):
        refused = await as_of(api, manager, oid, bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert "RFC 3339" in refused.text or "time" in refused.text, refused.text
    missing = await api.get(f"/api/v1/orders/{oid}/as-of", headers=manager)
    assert missing.status_code == 422

    unknown = await as_of(api, manager, str(uuid.uuid4()), born.isoformat())
    assert unknown.status_code == 404

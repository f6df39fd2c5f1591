"""A booking retried with its Idempotency-Key books nothing twice: the answer to a booking can
be lost (a timeout while a process restarts) after the visit was stored, and the retry must
meet that visit, not take a second slot (the fault run found such doubles)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import book_visit, login
from tests.e2e.test_first_slice import ORDER

HOUR = timedelta(hours=1)


async def _setup(api: httpx.AsyncClient) -> tuple[dict[str, str], str, dict[str, Any]]:
    manager = await login(api, "manager")
    created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
    assert created.status_code == 201, created.text
    crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "measurer"})).json()
    member = next(c for c in crew if c["username"] == "measurer")
    start = datetime.now().astimezone() + timedelta(days=1)
    schedule = await api.get(
        f"/api/v1/crew/{member['id']}/schedule",
        headers=manager,
        params={"from": start.isoformat(), "to": (start + timedelta(days=14)).isoformat()},
    )
    free = schedule.json()["free"]
    begins = next(
        datetime.fromisoformat(f["starts_at"])
        for f in free
        if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"]) >= 2 * HOUR
    ).replace(microsecond=0)
    body = {
        "kind": "measurement",
        "assignee_id": member["id"],
        "starts_at": begins.isoformat(),
        "ends_at": (begins + HOUR).isoformat(),
    }
    return manager, created.json()["id"], body


async def test_the_same_key_again_is_the_same_booking(api: httpx.AsyncClient) -> None:
    manager, order_id, body = await _setup(api)
    keyed = {**manager, "Idempotency-Key": "book-once"}
    first = await book_visit(api, keyed, order_id, body)
    assert first.status_code == 201, first.text
    again = await book_visit(api, keyed, order_id, body)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    visits = (await api.get(f"/api/v1/orders/{order_id}/visits", headers=manager)).json()
    assert [v["id"] for v in visits] == [first.json()["visit_id"]]

    # The key names that booking: another time under it is a mistake, said as such.
    later = datetime.fromisoformat(body["starts_at"]) + timedelta(minutes=30)
    moved = {**body, "starts_at": later.isoformat(), "ends_at": (later + HOUR).isoformat()}
    reused = await book_visit(api, keyed, order_id, moved)
    assert reused.status_code == 422, reused.text
    assert reused.json()["code"] == "idempotency_key_reused"


async def test_two_racing_requests_with_one_key_book_one_visit(api: httpx.AsyncClient) -> None:
    manager, order_id, body = await _setup(api)
    keyed = {**manager, "Idempotency-Key": "raced"}
    replies = await asyncio.gather(*(book_visit(api, keyed, order_id, body) for _ in range(3)))
    assert {r.status_code for r in replies} <= {200, 201}, [r.text for r in replies]
    assert len({r.json()["visit_id"] for r in replies}) == 1
    visits = (await api.get(f"/api/v1/orders/{order_id}/visits", headers=manager)).json()
    assert len(visits) == 1

"""The manager's note for a visit reaches the crew member's task list (issue 15): given when
booking, changed or cleared by PATCH, part of what an Idempotency-Key names; and an installer
reads the order's measurement results, with nothing commercial, from the tasks of the order."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from tests.e2e.conftest import book_visit, login
from tests.e2e.test_booking_idempotency import _setup

COMMERCIAL = ("amount", "price", "deal", "payment", "prepayment", "discount")


async def test_the_note_is_booked_changed_and_shown_to_the_crew(api: httpx.AsyncClient) -> None:
    manager, order_id, body = await _setup(api)
    keyed = {**manager, "Idempotency-Key": "noted"}
    booked = await book_visit(api, keyed, order_id, {**body, "note": "  ключи у консьержа  "})
    assert booked.status_code == 201, booked.text
    visit_id, task_id = booked.json()["visit_id"], booked.json()["task_id"]

    measurer = await login(api, "measurer")
    mine = (await api.get("/api/v1/tasks", params={"mine": "true"}, headers=measurer)).json()
    (task,) = [t for t in mine if t["id"] == task_id]
    assert task["visit_note"] == "ключи у консьержа"
    visits = (await api.get(f"/api/v1/orders/{order_id}/visits", headers=manager)).json()
    assert [v["note"] for v in visits] == ["ключи у консьержа"]

    # The key names the booking with its note: the same again is the same booking, another
    # note under it is refused.
    again = await book_visit(api, keyed, order_id, {**body, "note": "ключи у консьержа"})
    assert again.status_code == 200, again.text
    other = await book_visit(api, keyed, order_id, {**body, "note": "звонить за час"})
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "idempotency_key_reused"

    changed = await api.patch(
        f"/api/v1/visits/{visit_id}", json={"note": "звонить за час"}, headers=manager
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["note"] == "звонить за час"
    assert changed.json()["starts_at"] == visits[0]["starts_at"]  # the slot untouched

    # A move keeps the note; an empty note clears it.
    later = datetime.fromisoformat(body["starts_at"]) + timedelta(minutes=30)
    moved = await api.patch(
        f"/api/v1/visits/{visit_id}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
        headers=manager,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["note"] == "звонить за час"
    cleared = await api.patch(f"/api/v1/visits/{visit_id}", json={"note": ""}, headers=manager)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["note"] is None

    too_long = await api.patch(
        f"/api/v1/visits/{visit_id}", json={"note": "x" * 2001}, headers=manager
    )
    assert too_long.status_code == 422, too_long.text


async def test_an_installer_reads_the_measurements_and_nothing_commercial(
    api: httpx.AsyncClient,
) -> None:
    manager, order_id, body = await _setup(api)
    booked = await book_visit(api, manager, order_id, body)
    assert booked.status_code == 201, booked.text
    measurer = await login(api, "measurer")
    rooms = [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2700, "depth_mm": 600}]
    done = await api.post(
        f"/api/v1/tasks/{booked.json()['task_id']}/complete",
        json={"results": {"rooms": rooms}},
        headers=measurer,
    )
    assert done.status_code == 200, done.text

    crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "installer"})).json()
    installer_id = next(c["id"] for c in crew if c["username"] == "installer")
    start = datetime.fromisoformat(body["starts_at"]) + timedelta(days=1)
    schedule = await api.get(
        f"/api/v1/crew/{installer_id}/schedule",
        headers=manager,
        params={"from": start.isoformat(), "to": (start + timedelta(days=14)).isoformat()},
    )
    free = next(
        datetime.fromisoformat(f["starts_at"])
        for f in schedule.json()["free"]
        if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"])
        >= timedelta(hours=2)
    )
    install = {
        "kind": "installation",
        "assignee_id": installer_id,
        "starts_at": free.isoformat(),
        "ends_at": (free + timedelta(hours=2)).isoformat(),
    }
    assert (await book_visit(api, manager, order_id, install)).status_code == 201

    installer = await login(api, "installer")
    reply = await api.get("/api/v1/tasks", params={"order_id": order_id}, headers=installer)
    assert reply.status_code == 200, reply.text
    (measured,) = [t for t in reply.json() if t["kind"] == "measurement"]
    got = [{k: v for k, v in r.items() if v is not None} for r in measured["results"]["rooms"]]
    assert got == rooms
    text = reply.text.lower()
    assert not any(word in text for word in COMMERCIAL), reply.text

"""Scheduling for the office web app's calendars, against real PostgreSQL: a whole role's
calendar in one request (each member's as their own schedule), and a visit changed only from
the version the client saw."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.integration.test_scheduling_support import (
    MANAGER_HEADERS,
    Harness,
    actor,
    at,
    monday,
)


async def _calendar(svc: Harness, **params: str) -> Any:
    return await svc.client.get("/crew/calendar", params=params, headers=MANAGER_HEADERS)


async def test_a_roles_calendar_is_each_members_own_schedule(svc: Harness) -> None:
    first, second = await svc.crew("measurer"), await svc.crew("measurer")
    installer = await svc.crew("installer")
    order = await svc.order()
    day = monday()
    assert (await svc.book(order, "measurement", first, at(day, 10))).status_code == 201
    assert (await svc.book(order, "installation", installer, at(day, 12))).status_code == 201
    window = {"from": at(day, 0).isoformat(), "to": (at(day, 0) + timedelta(days=7)).isoformat()}
    reply = await _calendar(svc, role="measurer", **window)
    assert reply.status_code == 200, reply.text
    entries = reply.json()
    assert {e["member"]["id"] for e in entries} == {str(first), str(second)}
    for entry in entries:
        own = await svc.client.get(
            f"/crew/{entry['member']['id']}/schedule", params=window, headers=MANAGER_HEADERS
        )
        assert {"busy": entry["busy"], "free": entry["free"]} == own.json()
        assert entry["member"]["role"] == "measurer"
    busy = next(e for e in entries if e["member"]["id"] == str(first))["busy"]
    assert [b["kind"] for b in busy] == ["travel", "measurement", "travel"]
    assert {b["visit_version"] for b in busy} == {1}
    everyone = (await _calendar(svc, **window)).json()
    assert {str(first), str(second), str(installer)} <= {e["member"]["id"] for e in everyone}


async def test_a_calendar_window_is_forward_and_a_month_at_most(svc: Harness) -> None:
    start = at(monday(), 0)
    backwards = await _calendar(svc, **{"from": start.isoformat(), "to": start.isoformat()})
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "invalid_range"
    long = start + timedelta(days=32)
    too_long = await _calendar(svc, **{"from": start.isoformat(), "to": long.isoformat()})
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "range_too_long"
    assert "31 days" in too_long.json()["detail"]


async def test_only_those_who_read_any_calendar_get_a_whole_role(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    start = at(monday(), 0)
    window = {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}
    reply = await svc.client.get(
        "/crew/calendar", params=window, headers=actor("measurer", measurer)
    )
    assert reply.status_code == 403


async def test_a_visit_changes_only_from_the_version_the_client_saw(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order()
    day = monday()
    booked = (await svc.book(order, "measurement", measurer, at(day, 10))).json()
    path = f"/visits/{booked['visit_id']}"
    move = {"starts_at": at(day, 12).isoformat(), "ends_at": at(day, 13).isoformat()}
    moved = await svc.client.patch(
        path, json={**move, "expected_version": 1}, headers=MANAGER_HEADERS
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2
    # Another drag made on what the first replaced: refused, the visit stays where it went.
    stale = await svc.client.patch(
        path,
        json={
            "starts_at": at(day, 15).isoformat(),
            "ends_at": at(day, 16).isoformat(),
            "expected_version": 1,
        },
        headers=MANAGER_HEADERS,
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert stale.json()["version"] == 2
    (visit,) = (await svc.client.get(f"/orders/{order}/visits", headers=MANAGER_HEADERS)).json()
    assert datetime.fromisoformat(visit["starts_at"]) == at(day, 12)
    assert visit["version"] == 2
    cancelled = await svc.client.patch(
        path,
        json={"cancelled": True, "reason": "клиент уехал", "expected_version": 2},
        headers=MANAGER_HEADERS,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["version"]) == ("cancelled", 3)
    (event,) = await svc.outbox("scheduling.VisitCancelled")
    assert event["data"]["reason"] == "клиент уехал"
    assert event["data"]["visit_id"] == booked["visit_id"]


async def test_a_change_without_a_version_still_applies(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order()
    day = monday()
    booked = (await svc.book(order, "measurement", measurer, at(day, 10))).json()
    missing = await svc.client.patch(
        f"/visits/{uuid.uuid4()}", json={"expected_version": 1}, headers=MANAGER_HEADERS
    )
    assert missing.status_code == 404  # an unknown visit is not a version conflict
    reply = await svc.client.patch(
        f"/visits/{booked['visit_id']}",
        json={"starts_at": at(day, 11).isoformat(), "ends_at": at(day, 12).isoformat()},
        headers=MANAGER_HEADERS,
    )
    assert reply.status_code == 200, reply.text

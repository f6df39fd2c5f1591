"""Booking visits against real PostgreSQL: the database refuses double booking."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from tests.conftest import Infra
from tests.integration.test_scheduling_support import (
    MANAGER_HEADERS,
    Harness,
    actor,
    at,
    monday,
    scheduling,
)


async def test_fifty_concurrent_overlapping_bookings_one_wins(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    orders = [await svc.order() for _ in range(50)]
    day = monday()
    # Every start lies within 40 minutes of the others: all 50 overlap pairwise (1 h visits).
    replies = await asyncio.gather(
        *(svc.book(o, "measurement", measurer, at(day, 10, i % 40)) for i, o in enumerate(orders))
    )
    codes = sorted(r.status_code for r in replies)
    assert codes == [201] + [409] * 49, codes
    conflict = next(r for r in replies if r.status_code == 409).json()
    assert conflict["code"] == "slot_taken"
    assert len(conflict["conflicts"]) == 1
    assert await svc.pool.fetchval("SELECT count(*) FROM visits") == 1
    assert await svc.pool.fetchval("SELECT count(*) FROM tasks") == 1
    assert len(await svc.outbox("scheduling.VisitBooked")) == 1


async def test_two_service_instances_still_book_a_slot_once(
    infra: Infra, database_url: str
) -> None:
    schema = f"sched_{uuid.uuid4().hex[:10]}"
    async with (
        scheduling(infra, database_url, schema) as one,
        scheduling(infra, database_url, schema) as two,
    ):
        assert one.pool is not two.pool
        measurer = await one.crew("measurer")
        orders = [await one.order() for _ in range(50)]
        day = monday()
        replies = await asyncio.gather(
            *(
                (one if i % 2 else two).book(o, "measurement", measurer, at(day, 14, i % 30))
                for i, o in enumerate(orders)
            )
        )
        assert sorted(r.status_code for r in replies) == [201] + [409] * 49
        assert await one.pool.fetchval("SELECT count(*) FROM visits") == 1


async def test_the_travel_buffer_separates_two_visits(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order()
    day = monday()
    assert (await svc.book(order, "measurement", measurer, at(day, 10))).status_code == 201
    too_close = await svc.book(order, "measurement", measurer, at(day, 11, 20))
    assert too_close.status_code == 409
    assert too_close.json()["conflicts"][0]["order_id"] == str(order)
    assert (await svc.book(order, "measurement", measurer, at(day, 11, 30))).status_code == 201
    # And before it: ending 29 minutes before the first visit is too close, 30 is enough.
    other = await svc.order()
    early = await svc.book(other, "measurement", measurer, at(day, 9), 31 / 60)
    assert early.status_code == 409
    assert (await svc.book(other, "measurement", measurer, at(day, 9), 0.5)).status_code == 201


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("end_before_start", 422, "invalid_range"),
        ("outside_hours", 422, "outside_working_hours"),
        ("weekend", 422, "outside_working_hours"),
        ("wrong_role", 422, "wrong_role"),
        ("unknown_member", 422, "unknown_member"),
        ("unknown_order", 404, "unknown_order"),
        ("naive_time", 422, "invalid_input"),
        ("unknown_kind", 422, "invalid_input"),
    ],
)
async def test_bad_bookings_are_refused(svc: Harness, case: str, status: int, code: str) -> None:
    measurer, installer = await svc.crew("measurer"), await svc.crew("installer")
    order = await svc.order()
    day = monday()
    body = {
        "kind": "measurement",
        "assignee_id": str(measurer),
        "starts_at": at(day, 10).isoformat(),
        "ends_at": at(day, 11).isoformat(),
    }
    target = order
    match case:
        case "end_before_start":
            body["ends_at"] = at(day, 9, 30).isoformat()
        case "outside_hours":
            body["ends_at"] = at(day, 19).isoformat()
        case "weekend":
            body["starts_at"] = at(day + timedelta(days=5), 10).isoformat()
            body["ends_at"] = at(day + timedelta(days=5), 11).isoformat()
        case "wrong_role":
            body["assignee_id"] = str(installer)
        case "unknown_member":
            body["assignee_id"] = str(uuid.uuid4())
        case "unknown_order":
            target = uuid.uuid4()
        case "naive_time":
            body["starts_at"] = "2030-03-04T10:00:00"
        case "unknown_kind":
            body["kind"] = "picnic"
    reply = await svc.client.post(f"/orders/{target}/visits", json=body, headers=MANAGER_HEADERS)
    assert reply.status_code == status, reply.text
    assert reply.json()["code"] == code


async def test_only_managers_and_directors_book(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order()
    start = at(monday(), 10)
    body = {
        "kind": "measurement",
        "assignee_id": str(measurer),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }
    reply = await svc.client.post(
        f"/orders/{order}/visits", json=body, headers=actor("measurer", measurer)
    )
    assert reply.status_code == 403


async def test_moving_reassigning_and_cancelling_keep_the_guarantees(svc: Harness) -> None:
    first, second = await svc.crew("measurer"), await svc.crew("measurer")
    order = await svc.order()
    day = monday()
    a = (await svc.book(order, "measurement", first, at(day, 10))).json()
    b = (await svc.book(order, "measurement", first, at(day, 14))).json()
    move = {"starts_at": at(day, 14, 15).isoformat(), "ends_at": at(day, 15).isoformat()}
    taken = await svc.client.patch(f"/visits/{a['visit_id']}", json=move, headers=MANAGER_HEADERS)
    assert taken.status_code == 409
    assert taken.json()["code"] == "slot_taken"
    assert taken.json()["conflicts"][0]["visit_id"] == b["visit_id"]
    # Reassigned to a free colleague at that time: allowed, and the task follows.
    moved = await svc.client.patch(
        f"/visits/{a['visit_id']}",
        json={**move, "assignee_id": str(second)},
        headers=MANAGER_HEADERS,
    )
    assert moved.status_code == 200, moved.text
    (task,) = [t for t in await svc.tasks(order) if t["id"] == a["task_id"]]
    assert task["assignee_id"] == str(second)
    assert len(await svc.outbox("scheduling.VisitRescheduled")) == 1
    off = await svc.client.patch(
        f"/visits/{b['visit_id']}", json={"cancelled": True}, headers=MANAGER_HEADERS
    )
    assert off.status_code == 200
    assert off.json()["status"] == "cancelled"
    assert len(await svc.outbox("scheduling.VisitCancelled")) == 1
    assert len(await svc.outbox("scheduling.TaskCancelled")) == 1
    # The cancelled visit's slot is free again.
    assert (await svc.book(order, "measurement", first, at(day, 14))).status_code == 201
    again = await svc.client.patch(
        f"/visits/{b['visit_id']}", json={"cancelled": True}, headers=MANAGER_HEADERS
    )
    assert again.status_code == 409
    missing = await svc.client.patch(
        f"/visits/{uuid.uuid4()}", json={"cancelled": True}, headers=MANAGER_HEADERS
    )
    assert missing.status_code == 404


async def test_schedule_shows_visits_with_travel_and_the_free_slots(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order()
    day = monday()
    await svc.book(order, "measurement", measurer, at(day, 12))
    reply = await svc.client.get(
        f"/crew/{measurer}/schedule",
        params={"from": at(day, 0).isoformat(), "to": at(day, 23).isoformat()},
        headers=MANAGER_HEADERS,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert [b["kind"] for b in body["busy"]] == ["travel", "measurement", "travel"]
    assert body["busy"][1]["order_id"] == str(order)
    assert len(body["free"]) == 2
    unknown = await svc.client.get(
        f"/crew/{uuid.uuid4()}/schedule",
        params={"from": at(day, 0).isoformat(), "to": at(day, 23).isoformat()},
        headers=MANAGER_HEADERS,
    )
    assert unknown.status_code == 404


async def test_crew_hours_are_edited_and_validated(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    good = {
        "timezone": "Asia/Vladivostok",
        "working_hours": {"mon": ["10:00", "16:00"], "sat": ["10:00", "14:00"]},
        "days_off": [monday().isoformat()],
    }
    reply = await svc.client.put(f"/crew/{measurer}", json=good, headers=MANAGER_HEADERS)
    assert reply.status_code == 200, reply.text
    assert reply.json()["working_hours"]["tue"] is None
    listed = (
        await svc.client.get("/crew", params={"role": "measurer"}, headers=MANAGER_HEADERS)
    ).json()
    assert {m["id"]: m["timezone"] for m in listed}[str(measurer)] == "Asia/Vladivostok"
    for bad in (
        {"timezone": "Mars/Olympus"},
        {"working_hours": {"mon": ["18:00", "09:00"]}},
        {"working_hours": {"funday": ["09:00", "18:00"]}},
        {
            "absences": [
                {"starts_at": "2030-01-02T10:00:00+03:00", "ends_at": "2030-01-02T09:00:00+03:00"}
            ]
        },
    ):
        refused = await svc.client.put(f"/crew/{measurer}", json=bad, headers=MANAGER_HEADERS)
        assert refused.status_code == 422, (bad, refused.text)
    assert (
        await svc.client.put(f"/crew/{measurer}", json=good, headers=actor("measurer"))
    ).status_code == 403
    assert (
        await svc.client.put(f"/crew/{uuid.uuid4()}", json=good, headers=MANAGER_HEADERS)
    ).status_code == 404

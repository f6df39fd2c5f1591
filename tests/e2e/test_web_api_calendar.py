"""Crew calendars for the office web app, through the running stack: a whole role's week in
one request (each member's as their own schedule), bounded windows, only bookers; and the
visit changes the calendar makes: a cancellation keeps its reason, a move into a taken slot
names what is there, a drag made on a stale version is refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from pydantic import TypeAdapter

from contracts.api.scheduling import CALENDAR
from contracts.topics import SCHEDULING
from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_web_api_board import crew_member, new_order, tag

HOUR = timedelta(hours=1)


def week(weeks_ahead: int) -> dict[str, str]:
    """A week far enough ahead that other tests' bookings (the next two weeks) are not in it."""
    start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(weeks=weeks_ahead)
    return {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}


async def calendar(api: httpx.AsyncClient, head: dict[str, str], **params: str) -> httpx.Response:
    return await api.get("/api/v1/crew/calendar", headers=head, params=params)


def hours(free: list[dict[str, str]]) -> Iterator[datetime]:
    """One-hour starts in the free time, two hours apart (a visit and its travel fit)."""
    for span in free:
        start, end = (datetime.fromisoformat(span[k]) for k in ("starts_at", "ends_at"))
        while start + HOUR <= end:
            yield start
            start += 2 * HOUR


async def visit(
    api: httpx.AsyncClient, head: dict[str, str], oid: str, member: str, start: datetime
) -> dict[str, Any]:
    body = {
        "kind": "measurement",
        "assignee_id": member,
        "starts_at": start.isoformat(),
        "ends_at": (start + HOUR).isoformat(),
    }
    reply = await api.post(f"/api/v1/orders/{oid}/visits", headers=head, json=body)
    assert reply.status_code == 201, reply.text
    booked: dict[str, Any] = reply.json()
    return booked


async def test_a_roles_week_is_each_members_own_schedule(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    member = await crew_member(api, manager, "measurer")
    window = week(9)
    own = await api.get(f"/api/v1/crew/{member}/schedule", headers=manager, params=window)
    start = next(hours(own.json()["free"]))
    oid = await new_order(api, manager, f"Календарёв {tag()}")
    booked = await visit(api, manager, oid, member, start)

    reply = await calendar(api, manager, role="measurer", **window)
    assert reply.status_code == 200, reply.text
    entries = reply.json()
    TypeAdapter(CALENDAR.declared).validate_python(entries)
    assert {e["member"]["role"] for e in entries} == {"measurer"}
    for entry in entries:
        path = f"/api/v1/crew/{entry['member']['id']}/schedule"
        alone = (await api.get(path, headers=manager, params=window)).json()
        assert {"busy": entry["busy"], "free": entry["free"]} == alone
    (ours,) = [e for e in entries if e["member"]["id"] == member]
    assert ours["member"]["username"] == "measurer"
    (slot,) = [
        b
        for b in ours["busy"]
        if b.get("visit_id") == booked["visit_id"] and b["kind"] == "measurement"
    ]
    assert slot["order_id"] == oid
    assert slot["visit_version"] == 1
    assert datetime.fromisoformat(slot["starts_at"]) == start
    travel = [b for b in ours["busy"] if b.get("visit_id") == booked["visit_id"]]
    assert sorted(b["kind"] for b in travel) == ["measurement", "travel", "travel"]

    everyone = (await calendar(api, manager, **window)).json()
    roles = {e["member"]["role"] for e in everyone}
    assert {"measurer", "installer", "delivery"} <= roles
    assert not roles & {"manager", "director", "admin"}


async def test_a_calendar_window_is_forward_a_month_at_most_and_a_crew_role(
    api: httpx.AsyncClient,
) -> None:
    manager = await login(api, "manager")
    start = datetime.fromisoformat(week(1)["from"])
    for params, code in [
        ({"from": start.isoformat(), "to": start.isoformat()}, "invalid_range"),
        ({"from": start.isoformat(), "to": (start - HOUR).isoformat()}, "invalid_range"),
        (
            {"from": start.isoformat(), "to": (start + timedelta(days=32)).isoformat()},
            "range_too_long",
        ),
        ({"from": start.isoformat()}, "invalid_input"),
        ({"from": "tomorrow", "to": start.isoformat()}, "invalid_input"),
        ({"from": "0.5", "to": "86400"}, "invalid_input"),  # not seconds since 1970
        ({**week(1), "role": "manager"}, "invalid_input"),
    ]:
        reply = await calendar(api, manager, **params)
        assert reply.status_code == 422, (params, reply.text)
        assert reply.json()["code"] == code, (params, reply.text)
    month = {"from": start.isoformat(), "to": (start + timedelta(days=31)).isoformat()}
    assert (await calendar(api, manager, role="installer", **month)).status_code == 200


async def test_only_bookers_get_a_whole_roles_calendar(api: httpx.AsyncClient) -> None:
    for role in ("measurer", "installer", "delivery", "production", "admin"):
        reply = await calendar(api, await login(api, role), **week(1))
        assert reply.status_code == 403, (role, reply.text)
    assert (await calendar(api, await login(api, "director"), **week(1))).status_code == 200
    assert (await api.get("/api/v1/crew/calendar", params=week(1))).status_code == 401


async def _cancelled_event(stack: Stack, visit_id: str) -> dict[str, Any]:
    """scheduling.VisitCancelled for the visit, as scheduling published it to the broker."""
    consumer = AIOKafkaConsumer(
        SCHEDULING,
        bootstrap_servers=stack.urls["kafka"],
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for message in (m for ms in batches.values() for m in ms):
                envelope = json.loads(message.value or b"{}")
                data: dict[str, Any] = envelope.get("data", {})
                if envelope.get("type") == "scheduling.VisitCancelled" and (
                    data.get("visit_id") == visit_id
                ):
                    return data
    finally:
        await consumer.stop()
    raise AssertionError(f"no VisitCancelled for {visit_id}")


async def test_calendar_changes_keep_reasons_name_conflicts_and_refuse_stale_drags(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager = await login(api, "manager")
    member = await crew_member(api, manager, "measurer")
    window = week(10)
    own = await api.get(f"/api/v1/crew/{member}/schedule", headers=manager, params=window)
    starts = hours(own.json()["free"])
    oid = await new_order(api, manager, f"Перенесов {tag()}")
    first = await visit(api, manager, oid, member, next(starts))
    second_start = next(starts)
    second = await visit(api, manager, oid, member, second_start)
    path = f"/api/v1/visits/{first['visit_id']}"

    # Into the second visit's slot: 409 naming it.
    into = {"starts_at": second_start.isoformat(), "ends_at": (second_start + HOUR).isoformat()}
    taken = await api.patch(path, headers=manager, json=into)
    assert taken.status_code == 409, taken.text
    assert taken.json()["code"] == "slot_taken"
    assert [c["visit_id"] for c in taken.json()["conflicts"]] == [second["visit_id"]]

    # A drag from the version the calendar showed applies; one from before it is refused.
    to = next(starts)
    moved = await api.patch(
        path,
        headers=manager,
        json={
            "starts_at": to.isoformat(),
            "ends_at": (to + HOUR).isoformat(),
            "expected_version": 1,
        },
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2
    later = next(starts)
    stale = await api.patch(
        path,
        headers=manager,
        json={
            "starts_at": later.isoformat(),
            "ends_at": (later + HOUR).isoformat(),
            "expected_version": 1,
        },
    )
    assert stale.status_code == 409, stale.text
    assert (stale.json()["code"], stale.json()["version"]) == ("version_conflict", 2)
    visits = (await api.get(f"/api/v1/orders/{oid}/visits", headers=manager)).json()
    (kept,) = [v for v in visits if v["id"] == first["visit_id"]]
    assert datetime.fromisoformat(kept["starts_at"]) == to
    assert kept["version"] == 2

    # A cancellation with its reason: stored with the fact scheduling publishes.
    reason = f"Клиент перенёс ремонт {tag()}"
    off = await api.patch(
        path, headers=manager, json={"cancelled": True, "reason": reason, "expected_version": 2}
    )
    assert off.status_code == 200, off.text
    assert (off.json()["status"], off.json()["version"]) == ("cancelled", 3)
    assert (await _cancelled_event(stack, first["visit_id"]))["reason"] == reason
    again = await api.patch(path, headers=manager, json={"cancelled": True})
    assert again.status_code == 409
    assert again.json()["code"] == "visit_not_active"


async def test_bad_visit_changes_are_422_and_field_roles_may_not_change_visits(
    api: httpx.AsyncClient,
) -> None:
    manager, measurer = await login(api, "manager"), await login(api, "measurer")
    member = await crew_member(api, manager, "measurer")
    own = await api.get(f"/api/v1/crew/{member}/schedule", headers=manager, params=week(11))
    oid = await new_order(api, manager, f"Плохов {tag()}")
    booked = await visit(api, manager, oid, member, next(hours(own.json()["free"])))
    path = f"/api/v1/visits/{booked['visit_id']}"
    for body in ({"expected_version": 0}, {"expected_version": "one"}, {"reason": "x" * 501}):
        reply = await api.patch(path, headers=manager, json=body)
        assert reply.status_code == 422, (body, reply.text)
    reply = await api.patch(path, headers=measurer, json={"cancelled": True})
    assert reply.status_code == 403

"""A manager creates an order and books its measurement at once, through the real processes:
scheduling learns of the order from the broker a moment later, and the booking waits for
that instead of answering 404 (issue 9, point 5). A task on a fresh order likewise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_real_services_flow import eventually

ORDERS = 5
HOUR = timedelta(hours=1)
# A visit and the travel buffer after it (30 minutes by default) fit in this step.
STEP = timedelta(hours=2)


def slots(free: list[dict[str, str]]) -> Iterator[datetime]:
    """One-hour starts inside the member's free time, far enough apart not to collide."""
    for span in free:
        start = datetime.fromisoformat(span["starts_at"])
        end = datetime.fromisoformat(span["ends_at"])
        while start + HOUR <= end:
            yield start
            start += STEP


async def test_booking_right_after_creating_an_order(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")

    async def the_measurer() -> dict[str, Any] | None:
        reply = await api.get("/api/v1/crew", headers=manager, params={"role": "measurer"})
        return next((c for c in reply.json() if c["username"] == "measurer"), None)

    member = await eventually(the_measurer)
    tomorrow = datetime.now().astimezone() + timedelta(days=1)
    schedule = await api.get(
        f"/api/v1/crew/{member['id']}/schedule",
        headers=manager,
        params={"from": tomorrow.isoformat(), "to": (tomorrow + timedelta(days=14)).isoformat()},
    )
    assert schedule.status_code == 200, schedule.text
    starts = slots(schedule.json()["free"])

    for _ in range(ORDERS):
        created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
        assert created.status_code == 201, created.text
        start = next(starts)
        booked = await api.post(  # no pause: the order is not in scheduling yet, or just
            f"/api/v1/orders/{created.json()['id']}/visits",
            headers=manager,
            json={
                "kind": "measurement",
                "assignee_id": member["id"],
                "starts_at": start.isoformat(),
                "ends_at": (start + HOUR).isoformat(),
            },
        )
        assert booked.status_code == 201, booked.text


async def test_a_task_right_after_creating_an_order(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    for _ in range(ORDERS):
        created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
        assert created.status_code == 201, created.text
        task = await api.post(
            "/api/v1/tasks",
            headers=manager,
            json={
                "title": "Позвонить клиенту",
                "order_id": created.json()["id"],
                "assignee_role": "manager",
            },
        )
        assert task.status_code == 201, task.text

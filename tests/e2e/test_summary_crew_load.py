"""The morning summary's one call to another service, as the stack runs it: notifications'
adapter, signing with the stack's internal key, asks the running scheduling for a day's crew
load and is told who is booked beyond their hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from deploy.local.layout import load_secrets
from deploy.local.stack import Stack
from services.notifications.adapters.crew_load import SchedulingCrewLoad
from tests.e2e.conftest import book_visit, login
from tests.e2e.test_first_slice import ORDER

MSK = ZoneInfo("Europe/Moscow")


def _far_weekday() -> date:
    """A working day beyond what other tests book (they look two weeks ahead at most)."""
    day = datetime.now(MSK).date() + timedelta(days=40)
    return day + timedelta(days=(7 - day.weekday()) % 7)  # a Monday


async def test_the_summary_learns_of_an_overbooked_installer_from_scheduling(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager, director = await login(api, "manager"), await login(api, "director")
    created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "installer"})).json()
    member = next(c for c in crew if c["username"] == "installer")
    day = _far_weekday()
    starts = datetime.combine(day, time(10), tzinfo=MSK)
    body = {
        "kind": "installation",
        "assignee_id": member["id"],
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
    }
    booked = await book_visit(api, manager, order_id, body)
    assert booked.status_code == 201, booked.text
    load = SchedulingCrewLoad(
        stack.urls["scheduling"], load_secrets(stack.data_dir).internal_signing_key
    )
    try:
        assert member["display_name"] not in [o.name for o in await load.overloaded(day)]
        # The installer falls ill for that day after the booking: now she is over.
        path = f"/api/v1/crew/{member['id']}"
        before = member["absences"]
        ill = {
            "starts_at": datetime.combine(day, time(0), tzinfo=MSK).isoformat(),
            "ends_at": datetime.combine(day, time(23, 59), tzinfo=MSK).isoformat(),
            "reason": "болезнь",
        }
        changed = await api.put(path, headers=director, json={"absences": [*before, ill]})
        assert changed.status_code == 200, changed.text
        try:
            over = [o for o in await load.overloaded(day) if o.name == member["display_name"]]
            assert [(o.role, o.booked_hours, o.working_hours) for o in over] == [
                ("installer", 3.5, 0.0)
            ]
        finally:
            restored = await api.put(path, headers=director, json={"absences": before})
            assert restored.status_code == 200, restored.text
    finally:
        cancel = await api.patch(
            f"/api/v1/visits/{booked.json()['visit_id']}", headers=manager, json={"cancelled": True}
        )
        await load.close()
    assert cancel.status_code == 200, cancel.text

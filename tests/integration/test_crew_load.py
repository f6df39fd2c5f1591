"""The crew-load port (services/notifications/application/crew_load.py): scheduling's answer
over HTTP, signed as the summary signs it, and the in-memory fake, held to the same contract:
only those over their hours, with booked and working hours, for the day asked."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from services.notifications.adapters.crew_load import FixedCrewLoad, SchedulingCrewLoad
from services.notifications.application.crew_load import CrewLoad
from services.notifications.domain.summary import Overloaded
from tests.actors import KEY
from tests.integration.test_scheduling_support import (
    DIRECTOR_HEADERS,
    Harness,
    actor,
    at,
    monday,
)


async def _scheduling(svc: Harness) -> tuple[CrewLoad, date]:
    day = monday()
    busy, calm = await svc.crew("installer"), await svc.crew("installer")
    order = await svc.order("installation")
    for start, member in ((9, busy), (12, busy), (10, calm)):
        booked = await svc.book(order, "installation", member, at(day, start), hours=2.5)
        assert booked.status_code == 201, booked.text
    # Booked within her hours; an afternoon off set afterwards leaves 09-14 (5 h) for
    # 2 × (2.5 h + 30 min of travel) = 6 h.
    off = {"absences": [{"starts_at": at(day, 14).isoformat(), "ends_at": at(day, 18).isoformat()}]}
    changed = await svc.client.put(f"/crew/{busy}", json=off, headers=DIRECTOR_HEADERS)
    assert changed.status_code == 200, changed.text
    # The load names no order, yet only those who read anyone's calendar may ask for it.
    crew_asks = await svc.client.get(
        "/crew/load", params={"day": str(day)}, headers=actor("installer")
    )
    assert crew_asks.status_code == 403, crew_asks.text
    bad_day = await svc.client.get(
        "/crew/load", params={"day": "tomorrow"}, headers=DIRECTOR_HEADERS
    )
    assert bad_day.status_code == 422, bad_day.text
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=svc.app), base_url="http://s")
    return SchedulingCrewLoad("http://s", KEY, client), day


async def _fake() -> tuple[CrewLoad, date]:
    day = monday()
    return FixedCrewLoad({day: [Overloaded("Installer", "installer", 6.0, 5.0)]}), day


async def contract(load: CrewLoad, day: date) -> None:
    """What every backend answers for the day set up as above."""
    assert await load.overloaded(day) == [Overloaded("Installer", "installer", 6.0, 5.0)]
    assert await load.overloaded(day + timedelta(days=1)) == []


async def test_scheduling_names_only_those_over_their_hours_with_both_figures(
    svc: Harness,
) -> None:
    await contract(*await _scheduling(svc))


async def test_the_fake_keeps_the_same_contract() -> None:
    await contract(*await _fake())

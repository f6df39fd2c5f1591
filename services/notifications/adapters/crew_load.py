"""The crew-load port's backends: scheduling over HTTP, and an in-memory fake for tests of the
summary (both pass tests/integration/test_crew_load.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

import httpx

from contracts.envelope import Actor
from plumbing.actor import ActorSigner
from services.notifications.domain.summary import Overloaded

# Who the summary asks as: a fixed identity with the role whose capability (calendars.read_any)
# the route needs. The token is the gateway's kind (plumbing/actor.py): one request, a minute.
SUMMARY_ACTOR = Actor(
    kind="user",
    id=str(uuid.uuid5(uuid.NAMESPACE_URL, "oms:notifications:summary")),
    username="notifications",
    role="director",
)


class SchedulingCrewLoad:
    def __init__(self, base_url: str, internal_key: str, client: httpx.AsyncClient | None = None):
        self._signer = ActorSigner(internal_key)
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=10)

    async def overloaded(self, day: date) -> list[Overloaded]:
        target = f"/crew/load?day={day.isoformat()}"
        headers = self._signer.headers(SUMMARY_ACTOR, "scheduling", "GET", target.encode())
        reply = await self._client.get(target, headers=headers)
        reply.raise_for_status()
        return [
            Overloaded(
                row["member"]["display_name"],
                row["member"]["role"],
                float(row["booked_hours"]),
                float(row["working_hours"]),
            )
            for row in reply.json()
            if row["over"]
        ]

    async def close(self) -> None:
        await self._client.aclose()


class FixedCrewLoad:
    """The load as a test sets it, per day; `failing` makes it raise like a scheduling that
    cannot be reached."""

    def __init__(self, by_day: dict[date, Iterable[Overloaded]] | None = None) -> None:
        self.by_day = {day: list(found) for day, found in (by_day or {}).items()}
        self.failing = False

    async def overloaded(self, day: date) -> list[Overloaded]:
        if self.failing:
            raise ConnectionError("scheduling is unreachable (a test's fault)")
        return list(self.by_day.get(day, []))

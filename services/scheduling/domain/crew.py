"""Crew members: users with a crew role, with a time zone and weekly working hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from contracts.events.identity import CREW_ROLES

DEFAULT_TIMEZONE = "Europe/Moscow"
# Monday=0 .. Sunday=6 → (start, end) local time; absent day = day off.
DEFAULT_HOURS: dict[int, tuple[time, time]] = {d: (time(9), time(18)) for d in range(5)}


@dataclass(frozen=True)
class CrewMember:
    id: str
    username: str
    display_name: str
    role: str
    active: bool = True
    timezone: str = DEFAULT_TIMEZONE
    working_hours: dict[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))


def is_crew_role(role: str) -> bool:
    return role in CREW_ROLES


def hours_to_json(hours: dict[int, tuple[time, time]]) -> dict[str, list[str]]:
    return {
        str(day): [start.isoformat("minutes"), end.isoformat("minutes")]
        for day, (start, end) in hours.items()
    }

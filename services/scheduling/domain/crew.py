"""Crew members: users with a crew role, with a time zone, weekly working hours, days off and
absences. Pure values; parsing and validation of what a manager sends live here too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contracts.roles import CREW_ROLES
from services.scheduling.domain.errors import SchedulingRefusal

DEFAULT_TIMEZONE = "Europe/Moscow"
# Monday=0 .. Sunday=6 → (start, end) local time; absent day = day off.
DEFAULT_HOURS: dict[int, tuple[time, time]] = {d: (time(9), time(18)) for d in range(5)}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open time range [start, end), always held in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Absence:
    start: datetime
    end: datetime
    reason: str | None = None


@dataclass(frozen=True)
class CrewMember:
    id: str
    username: str
    display_name: str
    role: str
    active: bool = True
    timezone: str = DEFAULT_TIMEZONE
    working_hours: dict[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    days_off: frozenset[date] = frozenset()
    absences: tuple[Absence, ...] = ()


def is_crew_role(role: str) -> bool:
    return role in CREW_ROLES


def hours_to_json(hours: dict[int, tuple[time, time]]) -> dict[str, list[str]]:
    """Storage form: weekday number → ["HH:MM", "HH:MM"] (the table's original shape)."""
    return {
        str(day): [start.isoformat("minutes"), end.isoformat("minutes")]
        for day, (start, end) in hours.items()
    }


def hours_from_json(raw: dict[str, list[str]]) -> dict[int, tuple[time, time]]:
    return {int(day): (time.fromisoformat(s), time.fromisoformat(e)) for day, (s, e) in raw.items()}


def hours_to_api(hours: dict[int, tuple[time, time]]) -> dict[str, list[str] | None]:
    """API form: every weekday by name, null for a day off."""
    out: dict[str, list[str] | None] = {}
    for number, name in enumerate(WEEKDAYS):
        span = hours.get(number)
        out[name] = [span[0].isoformat("minutes"), span[1].isoformat("minutes")] if span else None
    return out


def parse_hours(raw: dict[str, list[str] | None]) -> dict[int, tuple[time, time]]:
    hours: dict[int, tuple[time, time]] = {}
    for name, span in raw.items():
        if name not in WEEKDAYS:
            raise SchedulingRefusal(
                f"working_hours: unknown weekday {name!r}", code="invalid_hours"
            )
        if span is None:
            continue
        try:
            start, end = (time.fromisoformat(v) for v in span)
        except (TypeError, ValueError):
            raise SchedulingRefusal(
                f"working_hours.{name}: expected two HH:MM", code="invalid_hours"
            ) from None
        if end <= start:
            raise SchedulingRefusal(
                f"working_hours.{name}: end must be after start", code="invalid_hours"
            )
        hours[WEEKDAYS.index(name)] = (start, end)
    return hours


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SchedulingRefusal(
            f"timezone: unknown time zone {name!r}", code="invalid_timezone"
        ) from None
    return name


def check_absences(absences: list[Absence]) -> tuple[Absence, ...]:
    for a in absences:
        if a.start.tzinfo is None or a.end.tzinfo is None:
            raise SchedulingRefusal("absences: times need an offset", code="invalid_range")
        if a.end <= a.start:
            raise SchedulingRefusal("absences: end must be after start", code="invalid_range")
    return tuple(sorted(absences, key=lambda a: a.start))


def absences_to_json(absences: tuple[Absence, ...]) -> list[dict[str, Any]]:
    return [
        {"starts_at": a.start.isoformat(), "ends_at": a.end.isoformat(), "reason": a.reason}
        for a in absences
    ]


def absences_from_json(raw: list[dict[str, Any]]) -> tuple[Absence, ...]:
    return tuple(
        Absence(
            datetime.fromisoformat(a["starts_at"]),
            datetime.fromisoformat(a["ends_at"]),
            a.get("reason"),
        )
        for a in raw
    )

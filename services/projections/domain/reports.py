"""Report arithmetic that needs no database: periods, working hours, conversion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.pipeline import STAGE_KEYS

DEFAULT_DAYS = 30
# Scheduling owns each crew member's working hours and publishes no event with them, so the
# report assumes the company default (Mon-Fri, 8 hours) and says so in its answer.
HOURS_PER_WEEKDAY = 8.0
COMPANY_TZ = ZoneInfo("Europe/Moscow")
# The funnel's order: the pipeline without the terminal refusal, which is not a step forward.
FUNNEL_STAGES: tuple[str, ...] = tuple(k for k in STAGE_KEYS if k != "cancelled")
CREW_ROLES: tuple[str, ...] = ("measurer", "installer", "delivery")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


def period(start: datetime | None, end: datetime | None, now: datetime) -> Period:
    """API.md: reports take optional from/to, default the last 30 days."""
    stop = _aware(end) if end else now
    begin = _aware(start) if start else stop - timedelta(days=DEFAULT_DAYS)
    return Period(begin, stop)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def working_hours(p: Period, tz: ZoneInfo = COMPANY_TZ) -> float:
    """Working hours of one crew member in the period: weekdays whose local midnight falls in
    [start, end), times the assumed hours per weekday."""
    day = p.start.astimezone(tz).date()
    last = p.end.astimezone(tz).date()
    weekdays = 0
    while day <= last:
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        if p.start <= midnight < p.end and day.weekday() < 5:
            weekdays += 1
        day += timedelta(days=1)
    return weekdays * HOURS_PER_WEEKDAY


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None

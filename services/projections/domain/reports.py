"""Report arithmetic that needs no database: periods, working hours, conversion."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.pipeline import CANCELLED
from contracts.roles import FIELD_ROLES
from services.projections.domain.pipelines import Pipelines

DEFAULT_DAYS = 30
# Scheduling owns each crew member's working hours and publishes no event with them, so the
# report assumes the company default (Mon-Fri, 8 hours) and says so in its answer.
HOURS_PER_WEEKDAY = 8.0
COMPANY_TZ = ZoneInfo("Europe/Moscow")
# The funnel leaves out the terminal refusal: it is not a step forward.
NOT_IN_FUNNEL = CANCELLED
# The workload report is about field visits: the roles of the field audience.
CREW_ROLES: tuple[str, ...] = tuple(sorted(FIELD_ROLES))


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


def period(
    start: datetime | date | None,
    end: datetime | date | None,
    now: datetime,
    tz: ZoneInfo = COMPANY_TZ,
) -> Period:
    """API.md: reports take optional from/to, default the last 30 days. A day as a bound is
    whole, in the company's time zone: from=2026-11-01&to=2026-11-30 is November, the 30th
    included, as a director picking days on a calendar means it."""
    stop = _moment(end, tz, whole_day=True) if end else now
    begin = _moment(start, tz, whole_day=False) if start else stop - timedelta(days=DEFAULT_DAYS)
    return Period(begin, stop)


def _moment(at: datetime | date, tz: ZoneInfo, whole_day: bool) -> datetime:
    if isinstance(at, datetime):  # first: a datetime is a date too
        return _aware(at)
    day = at + timedelta(days=1) if whole_day else at
    return datetime(day.year, day.month, day.day, tzinfo=tz)


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


def report_stages(pipelines: Pipelines, holding: Iterable[str]) -> list[str]:
    """The stages a per-stage report lists, like the board's columns: the newest pipeline's
    (a new stage shows with zeros), plus an older version's stage while it has rows (a
    stage a new version dropped still reports on the old orders that went through it)."""
    return pipelines.ordered(holding)


def funnel_stages(pipelines: Pipelines, holding: Iterable[str]) -> list[str]:
    return [k for k in report_stages(pipelines, holding) if k != NOT_IN_FUNNEL]


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None

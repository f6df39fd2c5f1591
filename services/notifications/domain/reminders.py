"""When a visit's reminders are due: the morning of the day before, and the morning of the
day (DOMAIN.md, Reminders). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_HOUR = 8


@dataclass(frozen=True)
class Reminder:
    kind: str  # day_before | same_day
    due_at: datetime


def reminders_for(
    starts_at: datetime,
    now: datetime,
    tz: str = DEFAULT_TIMEZONE,
    hour: int = DEFAULT_HOUR,
) -> list[Reminder]:
    """The reminders still worth sending for a visit starting at `starts_at`, at `hour` in
    `tz` (the assignee's zone).

    A visit booked after the day-before moment but still the day before (or earlier) gets its
    day-before reminder at once (due now): the crew member would otherwise first hear of it
    on the day. A same-day reminder whose moment has passed, or that would come after the
    visit has started, is dropped; so is a day-before one once the visit's day has begun.
    """
    zone = ZoneInfo(tz)
    local_day = starts_at.astimezone(zone).date()
    at_hour = time(hour)
    day_before = datetime.combine(local_day - timedelta(days=1), at_hour, zone)
    same_day = datetime.combine(local_day, at_hour, zone)
    due: list[Reminder] = []
    if now.astimezone(zone).date() < local_day and now < starts_at:
        due.append(Reminder("day_before", max(day_before, now)))
    if now < same_day < starts_at:
        due.append(Reminder("same_day", same_day))
    return due

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
    """The reminders still worth sending for a visit starting at `starts_at`.

    A reminder whose moment has passed is dropped (booking at noon for tomorrow sends no
    "day before" note at 08:00 today), and so is a same-day reminder that would come after
    the visit has started.
    """
    zone = ZoneInfo(tz)
    local_day = starts_at.astimezone(zone).date()
    at_hour = time(hour)
    due = [
        Reminder("day_before", datetime.combine(local_day - timedelta(days=1), at_hour, zone)),
        Reminder("same_day", datetime.combine(local_day, at_hour, zone)),
    ]
    return [r for r in due if now < r.due_at < starts_at]

"""When the directors' daily summary is due. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How long the summary waits for the crew's load when scheduling cannot answer, before it goes
# out without it (saying so): a director reads it with the morning coffee, not at noon.
LOAD_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class Overloaded:
    """A crew member whose booked hours (travel after each visit included) exceed their
    working hours that day."""

    name: str
    role: str
    booked_hours: float
    working_hours: float


def summary_day(now: datetime, tz: str, hour: int) -> date | None:
    """The company day whose summary is due at `now`: today once it is `hour` o'clock in
    `tz`, None before. Which day is claimed once (a row per day), so a restart at 07:59 or
    08:01 neither skips nor repeats it."""
    local = now.astimezone(ZoneInfo(tz))
    return local.date() if local.time() >= time(hour) else None


def due_at(day: date, tz: str, hour: int) -> datetime:
    """When `day`'s summary falls due."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(tz))

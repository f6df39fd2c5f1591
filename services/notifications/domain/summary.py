"""When the directors' daily summary is due. Pure."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def summary_day(now: datetime, tz: str, hour: int) -> date | None:
    """The company day whose summary is due at `now`: today once it is `hour` o'clock in
    `tz`, None before. Which day is claimed once (a row per day), so a restart at 07:59 or
    08:01 neither skips nor repeats it."""
    local = now.astimezone(ZoneInfo(tz))
    return local.date() if local.time() >= time(hour) else None

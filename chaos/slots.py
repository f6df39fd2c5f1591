"""Free measurement slots for the fault run: one-hour visits in the crew's working hours
(Mon–Fri 09:00–18:00 Europe/Moscow), starting next week and handed out once each, round robin
over the measurers, so bookings never fight each other for a slot (a 409 slot_taken would be
the driver's fault, not the system's). Visits start two hours apart: scheduling keeps a
travel buffer (30 minutes by default) around each one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
FIRST_HOUR, LAST_HOUR = 9, 18


def slots(crew_ids: list[str], today: date | None = None) -> Iterator[tuple[str, datetime]]:
    """(assignee id, start) pairs, each one hour long, never the same twice."""
    if not crew_ids:
        raise ValueError("no measurers to book")  # else the days would run on to year 9999
    day = today or datetime.now(MOSCOW).date()
    day += timedelta(days=7 - day.weekday())  # next Monday: nothing is booked that far yet
    while True:
        if day.weekday() < 5:
            for hour in range(FIRST_HOUR, LAST_HOUR - 1, 2):
                start = datetime.combine(day, time(hour), MOSCOW)
                for member in crew_ids:
                    yield member, start
        day += timedelta(days=1)

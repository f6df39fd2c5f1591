"""A member's load on a day (domain/calendar.py, day_load): visits with the travel after each,
against working hours less absences, clipped to the day."""

from __future__ import annotations

from datetime import date, timedelta

from services.scheduling.domain.calendar import day_load
from services.scheduling.domain.crew import Absence
from tests.unit.test_scheduling_calendar import BUFFER, member, msk, visit

MONDAY = (msk(3, 0), msk(4, 0))  # 2025-03-03, a whole Moscow day


def test_a_day_within_hours_is_not_over_and_counts_the_travel() -> None:
    load = day_load(member(), [visit(msk(3, 9), msk(3, 12))], *MONDAY, BUFFER)
    assert (load.booked, load.working, load.over) == (
        timedelta(hours=3, minutes=30),
        timedelta(hours=9),
        False,
    )


def test_visits_packed_with_their_travel_go_over() -> None:
    # 09-18 is 9 h; three 2.5 h visits 30 min apart fit, but with travel take 9 h; a fourth
    # short one at 17:30 makes it 9.5 h.
    visits = [visit(msk(3, h, m), msk(3, h + 2, m + 30)) for h, m in ((9, 0), (12, 0), (15, 0))]
    assert not day_load(member(), visits, *MONDAY, BUFFER).over
    late = [*visits, visit(msk(3, 17, 30), msk(3, 17, 45))]
    assert day_load(member(), late, *MONDAY, BUFFER).over


def test_a_day_off_or_an_absence_set_after_the_booking_shrinks_the_hours() -> None:
    booked = [visit(msk(3, 9), msk(3, 12))]
    off = member(days_off=frozenset({date(2025, 3, 3)}))
    assert day_load(off, booked, *MONDAY, BUFFER).working == timedelta()
    assert day_load(off, booked, *MONDAY, BUFFER).over
    away = member(absences=(Absence(msk(3, 11), msk(3, 18)),))
    load = day_load(away, booked, *MONDAY, BUFFER)
    assert (load.working, load.over) == (timedelta(hours=2), True)


def test_only_what_falls_in_the_day_counts() -> None:
    # Yesterday's visit and the travel spilling past midnight are not today's.
    night = visit(msk(3, 23), msk(3, 23, 45))
    assert day_load(member(), [night], *MONDAY, BUFFER).booked == timedelta(minutes=60)
    assert day_load(member(), [night], msk(4, 0), msk(5, 0), BUFFER).booked == timedelta(minutes=15)

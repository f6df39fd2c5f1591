"""A schedule's window, and the visit version a busy slot carries (for a calendar's drag)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from contracts.api.scheduling import CrewRole
from contracts.roles import CREW_ROLES
from services.scheduling.application.crew import MAX_CALENDAR_RANGE
from services.scheduling.domain.calendar import BookedVisit, check_window, schedule
from services.scheduling.domain.crew import CrewMember
from services.scheduling.domain.errors import SchedulingRefusal

MONDAY = datetime(2025, 3, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (MONDAY, MONDAY, "invalid_range"),
        (MONDAY, MONDAY - timedelta(hours=1), "invalid_range"),
        (MONDAY, MONDAY + timedelta(days=31, seconds=1), "range_too_long"),
        (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC), "invalid_range"),
        (datetime(9999, 12, 30, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC), "invalid_range"),
    ],
)
def test_a_calendar_window_is_forward_a_month_at_most_and_computable(
    start: datetime, end: datetime, code: str
) -> None:
    with pytest.raises(SchedulingRefusal) as refused:
        check_window(start, end, MAX_CALENDAR_RANGE)
    assert refused.value.code == code


def test_a_month_is_a_valid_window() -> None:
    check_window(MONDAY, MONDAY + timedelta(days=31), MAX_CALENDAR_RANGE)


def test_every_part_of_a_visit_carries_its_version() -> None:
    member = CrewMember(id=str(uuid.uuid4()), username="m", display_name="M", role="measurer")
    start = MONDAY + timedelta(hours=9)  # 12:00 in Moscow
    booked = BookedVisit(
        uuid.uuid4(), uuid.uuid4(), "measurement", start, start + timedelta(hours=1), 3
    )
    found = schedule(member, [booked], MONDAY, MONDAY + timedelta(days=1), timedelta(minutes=30))
    assert [(b.kind, b.visit_version) for b in found.busy] == [
        ("travel", 3),
        ("measurement", 3),
        ("travel", 3),
    ]


def test_the_api_names_exactly_the_crew_roles() -> None:
    assert set(get_args(CrewRole)) == CREW_ROLES

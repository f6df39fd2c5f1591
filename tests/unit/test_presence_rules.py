"""Check-in and check-out of a visit (issue 15): given the visit, when its assignee (or
someone else) checks in or out at a time, then it is recorded or refused with a code."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.scheduling.domain.errors import SchedulingRefusal
from services.scheduling.domain.presence import CLOCK_SKEW, Act, Mark, VisitOnSite, check_act

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ASSIGNEE = uuid.uuid4()
BOOKED = VisitOnSite(uuid.uuid4(), ASSIGNEE, "booked", booked_at=NOW - timedelta(days=2))
IN = Mark(NOW - timedelta(hours=1), 55.75, 37.61, 10.0)


def refused(visit: VisitOnSite, act: Act, at: datetime, who: uuid.UUID = ASSIGNEE) -> str:
    with pytest.raises(SchedulingRefusal) as info:
        check_act(visit, act, who, at, NOW)
    return info.value.code


def test_the_assignee_checks_in_now_or_with_the_time_the_phone_kept() -> None:
    check_act(BOOKED, "check_in", ASSIGNEE, NOW, NOW)
    check_act(BOOKED, "check_in", ASSIGNEE, NOW - timedelta(hours=5), NOW)  # sent later
    check_act(BOOKED, "check_in", ASSIGNEE, NOW + CLOCK_SKEW, NOW)  # a phone a bit fast


def test_nobody_else_checks_in_for_them() -> None:
    assert refused(BOOKED, "check_in", NOW, who=uuid.uuid4()) == "not_your_visit"


def test_a_time_in_the_future_or_before_the_booking_is_refused() -> None:
    assert refused(BOOKED, "check_in", NOW + CLOCK_SKEW + timedelta(seconds=1)) == (
        "time_in_future"
    )
    assert refused(BOOKED, "check_in", NOW - timedelta(days=3)) == "time_before_booking"


def test_a_visit_booked_before_booking_times_were_kept_skips_that_check() -> None:
    check_act(replace(BOOKED, booked_at=None), "check_in", ASSIGNEE, NOW - timedelta(days=30), NOW)


def test_a_cancelled_visit_takes_no_check_in() -> None:
    assert refused(replace(BOOKED, status="cancelled"), "check_in", NOW) == "visit_not_active"


def test_a_second_check_in_is_a_conflict() -> None:
    assert refused(replace(BOOKED, check_in=IN), "check_in", NOW) == "already_checked_in"


def test_check_out_needs_a_check_in_and_happens_once_after_it() -> None:
    assert refused(BOOKED, "check_out", NOW) == "not_checked_in"
    inside = replace(BOOKED, check_in=IN)
    check_act(inside, "check_out", ASSIGNEE, NOW, NOW)
    assert refused(inside, "check_out", IN.at - timedelta(minutes=1)) == (
        "check_out_before_check_in"
    )
    assert refused(replace(inside, check_out=IN), "check_out", NOW) == "already_checked_out"

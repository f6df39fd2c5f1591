"""Free and busy time of a crew member: time zones, days off, working-hour edges, buffer."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.scheduling.domain.calendar import (
    BookedVisit,
    blocked_range,
    check_booking,
    schedule,
    working_windows,
)
from services.scheduling.domain.crew import Absence, CrewMember, Interval
from services.scheduling.domain.errors import SchedulingRefusal

MSK = ZoneInfo("Europe/Moscow")
BUFFER = timedelta(minutes=30)


def member(**kw: object) -> CrewMember:
    base: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "username": "m",
        "display_name": "M",
        "role": "measurer",
    }
    return CrewMember(**{**base, **kw})  # type: ignore[arg-type]


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=MSK)  # 2025-03-03 is a Monday


def visit(start: datetime, end: datetime, kind: str = "measurement") -> BookedVisit:
    return BookedVisit(uuid.uuid4(), uuid.uuid4(), kind, start, end)


def test_working_hours_are_local_to_the_member() -> None:
    windows = working_windows(member(), msk(3, 0), msk(4, 0))
    assert windows == [Interval(msk(3, 9).astimezone(UTC), msk(3, 18).astimezone(UTC))]
    assert windows[0].start == datetime(2025, 3, 3, 6, tzinfo=UTC)  # Moscow is UTC+3


def test_a_member_far_east_works_on_their_own_clock() -> None:
    vlad = member(timezone="Asia/Vladivostok")  # UTC+10: Monday 09:00 is Sunday 23:00 UTC
    windows = working_windows(vlad, datetime(2025, 3, 2, 12, tzinfo=UTC), msk(3, 12))
    assert windows[0].start == datetime(2025, 3, 2, 23, tzinfo=UTC)


def test_hours_follow_daylight_saving_time() -> None:
    berlin = member(timezone="Europe/Berlin")  # DST starts 2025-03-30
    before = working_windows(
        berlin, datetime(2025, 3, 28, tzinfo=UTC), datetime(2025, 3, 29, tzinfo=UTC)
    )
    after = working_windows(
        berlin, datetime(2025, 3, 31, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)
    )
    assert before[0].start.hour == 8  # 09:00 CET
    assert after[0].start.hour == 7  # 09:00 CEST


def test_weekends_and_days_off_are_not_working_time() -> None:
    m = member(days_off=frozenset({date(2025, 3, 4)}))
    windows = working_windows(m, msk(3, 0), msk(10, 0))
    days = [w.start.astimezone(MSK).date().day for w in windows]
    assert days == [3, 5, 6, 7]  # Tue 4 off, Sat 8 and Sun 9 are weekend


def test_a_visit_must_sit_inside_one_working_day() -> None:
    m = member()
    check_booking(m, "measurement", msk(3, 9), msk(3, 18))  # exactly the edges is fine
    for start, end in (
        (msk(3, 8, 59), msk(3, 10)),
        (msk(3, 17), msk(3, 18, 1)),
        (msk(3, 17), msk(4, 10)),
    ):
        with pytest.raises(SchedulingRefusal) as err:
            check_booking(m, "measurement", start, end)
        assert err.value.code == "outside_working_hours"


def test_a_visit_on_a_day_off_or_during_an_absence_is_refused() -> None:
    m = member(
        days_off=frozenset({date(2025, 3, 4)}),
        absences=(Absence(msk(5, 12), msk(5, 14)),),
    )
    with pytest.raises(SchedulingRefusal, match="working hours"):
        check_booking(m, "measurement", msk(4, 10), msk(4, 11))
    with pytest.raises(SchedulingRefusal) as err:
        check_booking(m, "measurement", msk(5, 13), msk(5, 15))
    assert err.value.code == "member_absent"


def test_end_before_start_and_wrong_role_are_refused() -> None:
    with pytest.raises(SchedulingRefusal) as err:
        check_booking(member(), "measurement", msk(3, 11), msk(3, 10))
    assert err.value.code == "invalid_range"
    with pytest.raises(SchedulingRefusal) as err:
        check_booking(member(), "installation", msk(3, 10), msk(3, 11))
    assert err.value.code == "wrong_role"


def test_busy_shows_the_travel_buffer_on_both_sides_and_free_is_what_is_bookable() -> None:
    v = visit(msk(3, 12), msk(3, 13))
    found = schedule(member(), [v], msk(3, 0), msk(4, 0), BUFFER)
    assert [(b.kind, b.start.astimezone(MSK).time()) for b in found.busy] == [
        ("travel", time(11, 30)),
        ("measurement", time(12)),
        ("travel", time(13)),
    ]
    assert [(f.start.astimezone(MSK).time(), f.end.astimezone(MSK).time()) for f in found.free] == [
        (time(9), time(11, 30)),
        (time(13, 30), time(18)),
    ]
    assert all(b.order_id == v.order_id for b in found.busy)


def test_free_slots_match_what_the_database_constraint_allows() -> None:
    existing = blocked_range(msk(3, 12), msk(3, 13), BUFFER)

    def collides(start: datetime, end: datetime) -> bool:
        mine = blocked_range(start, end, BUFFER)
        return mine.start < existing.end and existing.start < mine.end

    assert not collides(msk(3, 10), msk(3, 11, 30))  # ends exactly buffer before
    assert collides(msk(3, 10), msk(3, 11, 31))
    assert not collides(msk(3, 13, 30), msk(3, 14))  # starts exactly buffer after
    assert collides(msk(3, 13, 29), msk(3, 14))


def test_absences_are_busy() -> None:
    m = member(absences=(Absence(msk(3, 14), msk(3, 16), "doctor"),))
    found = schedule(m, [], msk(3, 0), msk(4, 0), BUFFER)
    assert [b.kind for b in found.busy] == ["absence"]
    assert len(found.free) == 2


moments = st.integers(min_value=0, max_value=14 * 24 * 4).map(
    lambda q: datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=15 * q)
)
zones = st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "America/New_York", "UTC"])


@settings(max_examples=200, deadline=None)
@given(
    zone=zones,
    visits=st.lists(st.tuples(moments, st.integers(1, 16)), max_size=8),
    absences=st.lists(st.tuples(moments, st.integers(1, 40)), max_size=3),
    buffer_q=st.integers(0, 4),
    span=st.tuples(moments, st.integers(1, 7 * 24 * 4)),
)
def test_free_and_busy_never_overlap_and_together_cover_working_hours(
    zone: str,
    visits: list[tuple[datetime, int]],
    absences: list[tuple[datetime, int]],
    buffer_q: int,
    span: tuple[datetime, int],
) -> None:
    buffer = timedelta(minutes=15 * buffer_q)
    m = member(
        timezone=zone,
        absences=tuple(Absence(s, s + timedelta(minutes=15 * q)) for s, q in absences),
    )
    booked = [visit(s, s + timedelta(minutes=15 * q)) for s, q in visits]
    start = span[0]
    end = start + timedelta(minutes=15 * span[1])
    found = schedule(m, booked, start, end, buffer)
    for f in found.free:
        assert f.start < f.end
        for b in found.busy:
            assert f.end <= b.start or b.end <= f.start, "free overlaps busy"
    # Every quarter hour of working time is free or busy, and every free one is working time.
    windows = working_windows(m, start, end)
    step = timedelta(minutes=15)
    for w in windows:
        t = w.start
        while t < w.end:
            in_free = any(f.start <= t < f.end for f in found.free)
            in_busy = any(b.start <= t < b.end for b in found.busy)
            assert in_free or in_busy, f"{t} of working time is neither free nor busy"
            t += step
    for f in found.free:
        assert any(w.start <= f.start and f.end <= w.end for w in windows)

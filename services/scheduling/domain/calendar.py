"""Free and busy time of one crew member: pure functions over working hours, visits, absences.

The travel buffer: the database refuses two active visits of one member whose ranges
[starts_at, ends_at + buffer) overlap (see adapters/visit_store.py). A new visit therefore
fits only if it ends at least `buffer` before the next visit starts and starts at least
`buffer` after the previous one ends, so `busy` shows that buffer on both sides of every
visit, honestly labelled "travel", and `free` is exactly where a new visit may go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.events.common import VISIT_ROLE
from services.scheduling.domain.crew import CrewMember, Interval
from services.scheduling.domain.errors import SchedulingRefusal


@dataclass(frozen=True)
class BookedVisit:
    visit_id: UUID
    order_id: UUID
    kind: str
    start: datetime
    end: datetime
    version: int | None = None  # the visit row's: a client moving it says which it saw


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    kind: str  # a visit kind, "travel" or "absence"
    order_id: UUID | None = None
    visit_id: UUID | None = None
    visit_version: int | None = None


@dataclass(frozen=True)
class Schedule:
    busy: list[Busy]
    free: list[Interval]


# The times a schedule can be computed for: working days are walked a day beyond each end in
# the member's zone, which Python's dates cannot do near their own limits (years 1 and 9999).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def check_window(start: datetime, end: datetime, longest: timedelta) -> None:
    """A schedule's window [start, end): forward, at most `longest`, within computable time."""
    if end <= start:
        raise SchedulingRefusal("to must be after from", code="invalid_range")
    if end - start > longest:
        raise SchedulingRefusal(
            f"a schedule covers at most {longest.days} days", code="range_too_long"
        )
    if start < EARLIEST or end > LATEST:
        raise SchedulingRefusal("from and to must lie between 1970 and 2999", code="invalid_range")


def blocked_range(start: datetime, end: datetime, buffer: timedelta) -> Interval:
    """What the exclusion constraint stores for a visit: itself plus the travel after it."""
    return Interval(start.astimezone(UTC), (end + buffer).astimezone(UTC))


def working_windows(member: CrewMember, start: datetime, end: datetime) -> list[Interval]:
    """The member's working time inside [start, end), in UTC, days off left out.

    Days are walked in the member's own zone, so 09:00 means 09:00 where they work, on both
    sides of a DST change; one extra day each side catches zones far from UTC.
    """
    tz = ZoneInfo(member.timezone)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    windows: list[Interval] = []
    while day <= last:
        hours = member.working_hours.get(day.weekday())
        if hours is not None and day not in member.days_off:
            # Converted to UTC at once: aware datetimes sharing one tzinfo compare by wall
            # clock, which is wrong across a DST change.
            w_start = datetime.combine(day, hours[0], tzinfo=tz).astimezone(UTC)
            w_end = datetime.combine(day, hours[1], tzinfo=tz).astimezone(UTC)
            clipped = Interval(max(w_start, start), min(w_end, end))
            if clipped.start < clipped.end:
                windows.append(clipped)
        day += timedelta(days=1)
    return windows


def subtract(windows: Sequence[Interval], blocks: Iterable[Interval]) -> list[Interval]:
    """`windows` minus the union of `blocks`; both sorted or not, result sorted."""
    ordered = sorted(b for b in blocks if b.start < b.end)
    free: list[Interval] = []
    for window in sorted(windows):
        cursor = window.start
        for block in ordered:
            if block.end <= cursor or block.start >= window.end:
                continue
            if block.start > cursor:
                free.append(Interval(cursor, block.start))
            cursor = max(cursor, block.end)
            if cursor >= window.end:
                break
        if cursor < window.end:
            free.append(Interval(cursor, window.end))
    return free


def schedule(
    member: CrewMember,
    visits: Iterable[BookedVisit],
    start: datetime,
    end: datetime,
    buffer: timedelta,
) -> Schedule:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    busy: list[Busy] = []
    for v in visits:
        busy += [
            Busy(v.start - buffer, v.start, "travel", v.order_id, v.visit_id, v.version),
            Busy(v.start, v.end, v.kind, v.order_id, v.visit_id, v.version),
            Busy(v.end, v.end + buffer, "travel", v.order_id, v.visit_id, v.version),
        ]
    busy += [Busy(a.start, a.end, "absence") for a in member.absences]
    clipped = [
        replace(b, start=max(b.start, start), end=min(b.end, end))
        for b in busy
        if b.end > start and b.start < end
    ]
    clipped = [
        replace(b, start=b.start.astimezone(UTC), end=b.end.astimezone(UTC))
        for b in clipped
        if b.start < b.end
    ]
    clipped.sort(key=lambda b: (b.start, b.end))
    windows = working_windows(member, start, end)
    free = subtract(windows, (Interval(b.start, b.end) for b in clipped))
    return Schedule(busy=clipped, free=free)


@dataclass(frozen=True)
class DayLoad:
    """One member's day: what is booked (visits with the travel after each) against the
    working time left once absences are taken out. Over when booked exceeds it, which a new
    booking cannot cause alone (it must fit the free time) but hours cut, a day off or an
    absence set after the bookings can, and so can visits packed with their travel."""

    booked: timedelta
    working: timedelta

    @property
    def over(self) -> bool:
        return self.booked > self.working


def day_load(
    member: CrewMember,
    visits: Iterable[BookedVisit],
    start: datetime,
    end: datetime,
    buffer: timedelta,
) -> DayLoad:
    """`member`'s load in [start, end) (a day of the company's calendar, in practice)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    booked = timedelta()
    for v in visits:
        blocked = blocked_range(v.start, v.end, buffer)
        booked += max(timedelta(), min(blocked.end, end) - max(blocked.start, start))
    absences = [Interval(a.start.astimezone(UTC), a.end.astimezone(UTC)) for a in member.absences]
    available = subtract(working_windows(member, start, end), absences)
    return DayLoad(booked, sum((w.end - w.start for w in available), timedelta()))


def check_booking(member: CrewMember, kind: str, start: datetime, end: datetime) -> None:
    """The rules a visit must meet before the database is asked for the slot."""
    if start.tzinfo is None or end.tzinfo is None:
        raise SchedulingRefusal("starts_at and ends_at need a UTC offset", code="invalid_range")
    if end <= start:
        raise SchedulingRefusal("ends_at must be after starts_at", code="invalid_range")
    if not member.active:
        raise SchedulingRefusal("the crew member is not active", code="member_inactive")
    if VISIT_ROLE[kind] != member.role:
        raise SchedulingRefusal(
            f"a {kind} visit needs a {VISIT_ROLE[kind]}, not a {member.role}",
            code="wrong_role",
            expected_role=VISIT_ROLE[kind],
        )
    span = Interval(start.astimezone(UTC), end.astimezone(UTC))
    day = timedelta(days=1)
    windows = working_windows(member, span.start - day, span.end + day)
    if not any(w.start <= span.start and span.end <= w.end for w in windows):
        raise SchedulingRefusal(
            "the visit is outside the member's working hours", code="outside_working_hours"
        )
    if any(a.start < span.end and span.start < a.end for a in member.absences):
        raise SchedulingRefusal("the member is absent at that time", code="member_absent")

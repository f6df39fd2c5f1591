"""Check-in and check-out of a visit: who may, and which times are believable. Pure.

`at` is the phone's time of the act: work queued offline (issue 15) arrives later, so the
server keeps the phone's time, within limits it can check — not ahead of the server's clock
beyond a small skew (a phone whose clock runs fast, or a made-up future), and not before the
visit was booked (no one checks in for a visit that did not exist yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from services.scheduling.domain.errors import SchedulingRefusal

Act = Literal["check_in", "check_out"]
# A phone's clock may run a little ahead of the server's; more than this is refused.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Mark:
    """One recorded act: when (the phone's time) and where."""

    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None


@dataclass(frozen=True)
class VisitOnSite:
    visit_id: UUID
    assignee_id: UUID
    status: str
    booked_at: datetime | None  # None: booked before booking times were kept
    check_in: Mark | None = None
    check_out: Mark | None = None


def check_act(visit: VisitOnSite, act: Act, actor_id: UUID, at: datetime, now: datetime) -> None:
    """Raise the refusal for `act` at `at` by `actor_id`, or return (it may be recorded).
    (Whether the caller may know of the visit at all is the application's question.)"""
    if actor_id != visit.assignee_id:
        raise SchedulingRefusal(
            "only the visit's assignee checks in and out (a manager may not do it for them)",
            code="not_your_visit",
        )
    if visit.status == "cancelled":
        raise SchedulingRefusal("the visit is cancelled", code="visit_not_active")
    if at > now + CLOCK_SKEW:
        raise SchedulingRefusal(
            f"at: {at.isoformat()} is in the future (the server's time is {now.isoformat()})",
            code="time_in_future",
        )
    if visit.booked_at is not None and at < visit.booked_at:
        raise SchedulingRefusal(
            f"at: {at.isoformat()} is before the visit was booked ({visit.booked_at.isoformat()})",
            code="time_before_booking",
        )
    if act == "check_in":
        if visit.check_in is not None:
            raise SchedulingRefusal("the visit is already checked in", code="already_checked_in")
        return
    if visit.check_in is None:
        raise SchedulingRefusal("check in before checking out", code="not_checked_in")
    if visit.check_out is not None:
        raise SchedulingRefusal("the visit is already checked out", code="already_checked_out")
    if at < visit.check_in.at:
        raise SchedulingRefusal(
            f"at: {at.isoformat()} is before the check-in ({visit.check_in.at.isoformat()})",
            code="check_out_before_check_in",
        )

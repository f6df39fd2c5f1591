"""Crew, schedules, visits, tasks, robots (API.md, Crews, visits, tasks, robots). Nothing here
is commercial, so every audience gets the same model; which rows a role gets is decided by
the scheduling service (assignments) and the gateway (access)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field, StrictBool
from pydantic.json_schema import SkipJsonSchema

from contracts.api.audience import Shown, Views
from contracts.api.cards import TaskOut
from contracts.api.common import Day, Id, Input, JsonObject, OnDay, Timestamp, When
from contracts.roles import Role

VisitKind = Literal["measurement", "delivery", "installation", "rework"]
# The roles whose calendars scheduling keeps (contracts.roles.CREW_ROLES, held equal by a test).
CrewRole = Literal["measurer", "installer", "delivery", "production"]


class AbsenceOut(Shown):
    starts_at: Timestamp
    ends_at: Timestamp
    reason: str | None = None


class CrewMember(Shown):
    id: Id
    username: str
    display_name: str
    role: str
    timezone: str
    working_hours: dict[str, list[str] | None] = Field(
        default={}, description='per weekday ("mon"…"sun"): ["09:00", "18:00"], or null (off)'
    )
    days_off: list[Day] = Field(default_factory=list)
    absences: list[AbsenceOut] = Field(default_factory=list)


CREW = Views.of(list[CrewMember])
MEMBER = Views.of(CrewMember)


class AbsenceIn(Input):
    starts_at: When
    ends_at: When
    reason: str | None = Field(default=None, max_length=200)


class CrewUpdate(Input):
    """PUT /crew/{id}: each field given replaces the stored one; a field left out is kept."""

    timezone: str | None = Field(default=None, max_length=64)
    working_hours: dict[str, list[str] | None] | None = None
    days_off: list[OnDay] | None = Field(default=None, max_length=366)
    absences: list[AbsenceIn] | None = Field(default=None, max_length=200)


class Busy(Shown):
    starts_at: Timestamp
    ends_at: Timestamp
    kind: str = Field(description='a visit\'s kind, "travel" (around a visit) or "absence"')
    order_id: Id | None = None
    visit_id: Id | None = None
    visit_version: int | None = Field(
        default=None,
        description="the visit's version: PATCH /visits/{visit_id} takes it as expected_version",
    )


class Free(Shown):
    starts_at: Timestamp
    ends_at: Timestamp


class Schedule(Shown):
    busy: list[Busy]
    free: list[Free]


SCHEDULE = Views.of(Schedule)


class CalendarEntry(Shown):
    """One member's schedule in a crew calendar: what GET /crew/{id}/schedule answers for
    them, with the member beside it."""

    member: CrewMember
    busy: list[Busy]
    free: list[Free]


CALENDAR = Views.of(list[CalendarEntry])


class BookVisit(Input):
    kind: VisitKind
    assignee_id: UUID
    starts_at: When
    ends_at: When
    note: str | None = Field(
        default=None, max_length=2000, description="the manager's note for the crew"
    )


class Booked(Shown):
    visit_id: Id
    task_id: Id


BOOKED = Views.of(Booked)


class ChangeVisit(Input):
    starts_at: When | None = None
    ends_at: When | None = None
    assignee_id: UUID | None = None
    cancelled: StrictBool = False
    reason: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(
        default=None, ge=1, description="the visit's version as the client saw it: stale → 409"
    )
    note: str | None = Field(
        default=None, max_length=2000, description="a new note for the crew; empty clears it"
    )


class Visit(Shown):
    id: Id
    order_id: Id
    kind: str
    assignee_id: Id
    starts_at: Timestamp
    ends_at: Timestamp
    status: str
    task_id: Id
    version: int
    checked_in_at: Timestamp | None = None
    checked_out_at: Timestamp | None = None
    note: str | None = None


class OnSiteRequest(Input):
    """A check-in or check-out (issue 15): the phone's position and, for work sent later
    from the phone's queue, the phone's time of the act (`at`; absent: now). Send an
    `Idempotency-Key` header: a repeat gets the first answer."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    at: When | None = Field(
        default=None,
        description="the phone's time of the act: not ahead of the server beyond a few "
        "minutes (422 time_in_future), not before the booking (422 time_before_booking)",
    )


class OnSiteMark(Shown):
    at: Timestamp
    lat: float
    lon: float
    accuracy_m: float | None = None


class OnSite(Shown):
    visit_id: Id
    check_in: OnSiteMark | None = None
    check_out: OnSiteMark | None = None


ON_SITE = Views.of(OnSite)
VISIT = Views.of(Visit)
VISITS = Views.of(list[Visit])
TASK = Views.of(TaskOut)
TASKS = Views.of(list[TaskOut])


class _NewTask(Input):
    title: str = Field(min_length=1, max_length=300, pattern=r"\S")
    order_id: UUID | None = None
    due_at: When | None = None


class TaskForPerson(_NewTask):
    assignee_id: UUID


class TaskForRole(_NewTask):
    """For whoever of the role takes it first (`mine` lists it to each of them)."""

    assignee_role: Role


# A task is for one person or for a role: exactly one of the two.
NewTask = TaskForPerson | TaskForRole


class RoomIn(Input):
    name: str = Field(min_length=1, max_length=100)
    width_mm: int = Field(gt=0, le=100_000)
    height_mm: int = Field(gt=0, le=100_000)
    depth_mm: int | None = Field(default=None, gt=0, le=100_000)
    notes: str | None = Field(default=None, max_length=2000)


class MeasurementResultsIn(Input):
    """What a measurer enters on site: contracts.events.common.MeasurementResults, as a
    request (tests/unit/test_api_requests.py holds the two to the same rules)."""

    rooms: list[RoomIn] = Field(min_length=1, max_length=100)
    notes: str | None = Field(default=None, max_length=5000)


class CompleteTask(Input):
    note: str | None = Field(default=None, max_length=5000)
    results: MeasurementResultsIn | None = Field(
        default=None, description="a measurement's results (measurement tasks only)"
    )


class Rule(Shown):
    """A robot: trigger → conditions → actions (their shapes: the scheduling service's rule
    model). PUT takes the same body back; `version` is the expected version."""

    id: str
    title: str
    enabled: bool = True
    trigger: str
    conditions: JsonObject = Field(default_factory=dict)
    actions: list[JsonObject] = Field(default_factory=list)
    version: int | None = None


RULE = Views.of(Rule)
RULES = Views.of(list[Rule])


class StageLimits(Shown):
    limits: dict[str, float | None] = Field(description="hours per stage key; null: no limit")


LIMITS = Views.of(StageLimits)


class RuleRequest(Input):
    """PUT /automation/rules/{id}: the rule as GET gave it; `version` is the expected version
    (a stale edit gets 409); `id`, if given, must be the path's."""

    # Taken back as GET gave it, but not invited: it can only repeat the path's id.
    id: SkipJsonSchema[str | None] = None
    title: str = Field(min_length=1, max_length=200)
    enabled: StrictBool = True
    trigger: str
    conditions: JsonObject = Field(default_factory=dict)
    actions: list[JsonObject] = Field(min_length=1, max_length=10)
    version: int | None = None

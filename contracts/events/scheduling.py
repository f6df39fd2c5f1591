"""Events of the scheduling service (topic `scheduling.events`).

Streams: `visit-<id>`, `task-<id>`, `rule-<id>`, `timer-<order id>`. Robot actions carry the
rule id and the causing event id, so the order's history can say "moved by robot R because
task T was completed"; their event ids are uuid5(cause event id, rule id + action), so a
redelivered trigger produces nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.common import GeoPoint, MeasurementResults, VisitKind

TaskKind = Literal[
    "measurement", "delivery", "installation", "rework", "book_visit", "production", "custom"
]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# A booked visit's slot: what a booking and a move both state. Not an event itself, and
# neither event subclasses the other, so a `case VisitBooked()` never matches a move.
class _VisitSlot(_Event):
    visit_id: UUID
    order_id: UUID
    kind: VisitKind
    assignee_id: UUID
    starts_at: datetime
    ends_at: datetime
    task_id: UUID
    # The assignee's time zone (IANA) when booked or moved: their reminders come at 08:00 in
    # it. None in events written before it was added: the company's zone then.
    assignee_timezone: str | None = None


class VisitBooked(_VisitSlot):
    pass


class VisitRescheduled(_VisitSlot):
    """Moved and/or reassigned. Reminders follow it (DOMAIN.md, Reminders)."""


class VisitCancelled(_Event):
    visit_id: UUID
    order_id: UUID
    kind: VisitKind
    task_id: UUID
    reason: str | None = None


class _Presence(_Event):
    """Where and when the visit's assignee said they were (the phone's position and time)."""

    visit_id: UUID
    order_id: UUID
    kind: VisitKind
    assignee_id: UUID
    at: datetime = Field(description="the phone's time of the act (sent later if offline)")
    location: GeoPoint
    accuracy_m: float | None = None


class VisitCheckedIn(_Presence):
    pass


class VisitCheckedOut(_Presence):
    pass


class TaskCreated(_Event):
    task_id: UUID
    order_id: UUID | None = None
    visit_id: UUID | None = None
    kind: TaskKind
    title: str
    assignee_id: UUID | None = None
    assignee_role: str | None = None
    due_at: datetime | None = None
    visit_kind: VisitKind | None = Field(
        default=None, description="For book_visit tasks: which visit should be booked"
    )
    rule_id: str | None = None
    cause_event_id: UUID | None = None


class TaskCompleted(_Event):
    task_id: UUID
    order_id: UUID | None = None
    visit_id: UUID | None = None
    kind: TaskKind
    completed_by: UUID
    note: str | None = None
    results: MeasurementResults | None = None


class TaskCancelled(_Event):
    task_id: UUID
    order_id: UUID | None = None
    visit_id: UUID | None = None
    kind: TaskKind
    reason: str | None = None


class StageMoveRequested(_Event):
    """A robot asks the orders service to move an order; orders applies it only if the
    gate holds, and otherwise records that the move was refused and why."""

    order_id: UUID
    to_stage: str
    rule_id: str
    cause_event_id: UUID
    cause_type: str


# The seeded robots whose notices the notifications service's defaults table now sends itself
# (in words, with the creator as fallback, photos grouped). Scheduling deletes them at start and
# refuses a rule under one of these ids; notifications drops the requests they wrote before,
# still in the log, so a replay tells nobody the same fact twice.
RETIRED_NOTIFY_RULES: frozenset[str] = frozenset(
    {"notify-stage-change", "notify-task-completed", "notify-photo-uploaded", "overdue-alert"}
)


class NotificationRequested(_Event):
    """A robot's "notify" action. Recipients: the order's manager, a role, or a person."""

    order_id: UUID | None = None
    notify_manager: bool = False
    role: str | None = None
    user_id: UUID | None = None
    text_ru: str
    text_en: str
    rule_id: str
    cause_event_id: UUID


class OrderOverdueV1(_Event):
    """An order sat in a stage longer than its limit (fired once per stage entry)."""

    order_id: UUID
    stage: str
    entered_at: datetime
    limit_hours: float


class OrderOverdue(OrderOverdueV1):
    """v2 adds `late_when_imported` (issue 20): the stage was entered in another system and
    its limit had already passed when the order was brought over. It is late all the same (the
    board's flag, the directors' summary), but no one is alerted of it one order at a time and
    no robot acts on it: an import of a portal's open deals would otherwise flood both."""

    late_when_imported: bool = False


class RuleChanged(_Event):
    rule_id: str
    definition: dict[str, object]

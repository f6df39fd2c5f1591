"""The task a booked visit brings with it, and who the acting person is."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from contracts.envelope import Actor
from contracts.events.scheduling import TaskCreated
from plumbing.errors import NotFound
from services.scheduling.adapters.task_store import Task

TITLES = {
    "measurement": "Замер",
    "delivery": "Доставка",
    "installation": "Монтаж",
    "rework": "Доработка",
}


def actor_uuid(actor: Actor) -> UUID:
    try:
        return UUID(str(actor.id))
    except ValueError:
        raise NotFound("unknown actor") from None


def new_visit_task(
    order_id: UUID, visit_id: UUID, kind: str, assignee_id: UUID, now: datetime
) -> Task:
    return Task.new(
        id=uuid.uuid4(),
        order_id=order_id,
        visit_id=visit_id,
        kind=kind,
        title=TITLES[kind],
        assignee_id=assignee_id,
        created_at=now,
    )


def task_created(t: Task) -> TaskCreated:
    """The event that tells of a new task: whoever made it (a booking, a robot, a person)."""
    return TaskCreated(
        task_id=t.id,
        order_id=t.order_id,
        visit_id=t.visit_id,
        kind=t.kind,  # type: ignore[arg-type]  # stored from a validated TaskKind
        title=t.title,
        assignee_id=t.assignee_id,
        assignee_role=t.assignee_role,
        due_at=t.due_at,
        visit_kind=t.visit_kind,  # type: ignore[arg-type]  # a validated VisitKind
        rule_id=t.rule_id,
        cause_event_id=t.cause_event_id,
    )

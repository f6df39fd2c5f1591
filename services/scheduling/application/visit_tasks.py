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
    return Task(
        id=uuid.uuid4(),
        order_id=order_id,
        visit_id=visit_id,
        kind=kind,
        title=TITLES[kind],
        status="open",
        assignee_id=assignee_id,
        assignee_role=None,
        due_at=None,
        visit_kind=None,
        rule_id=None,
        cause_event_id=None,
        created_at=now,
        completed_at=None,
        completed_by=None,
        note=None,
        results=None,
    )


def task_created(t: Task) -> TaskCreated:
    return TaskCreated(
        task_id=t.id,
        order_id=t.order_id,
        visit_id=t.visit_id,
        kind=t.kind,  # type: ignore[arg-type]  # a visit kind, which is a TaskKind
        title=t.title,
        assignee_id=t.assignee_id,
    )

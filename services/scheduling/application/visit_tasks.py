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
    return TaskCreated(
        task_id=t.id,
        order_id=t.order_id,
        visit_id=t.visit_id,
        kind=t.kind,  # type: ignore[arg-type]  # a visit kind, which is a TaskKind
        title=t.title,
        assignee_id=t.assignee_id,
    )

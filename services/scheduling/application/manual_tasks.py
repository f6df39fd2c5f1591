"""Tasks people create by hand (a call to make, a part to order): for a person or a role,
with a due time, on an order or on none. Robots' tasks come from rules instead."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.envelope import Actor
from contracts.roles import ROLES, may
from plumbing.errors import Forbidden, Invalid
from services.scheduling.adapters import crew_store, task_store
from services.scheduling.adapters.task_store import Task
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.application.known_orders import KnownOrders
from services.scheduling.application.visit_tasks import task_created


async def create_task(
    pool: asyncpg.Pool,
    emitter: Emitter,
    known_orders: KnownOrders,
    actor: Actor,
    *,
    title: str,
    order_id: UUID | None,
    assignee_id: UUID | None,
    assignee_role: str | None,
    due_at: datetime | None,
) -> dict[str, object]:
    if not may(actor.role or "", "tasks.create"):
        raise Forbidden("only managers and directors create tasks")
    if (assignee_id is None) == (assignee_role is None):
        raise Invalid("give exactly one of assignee_id and assignee_role", code="assignee")
    if assignee_role is not None and assignee_role not in ROLES:
        raise Invalid(f"assignee_role: unknown role {assignee_role!r}", code="unknown_role")
    if order_id is not None and assignee_role is not None and not may(assignee_role, "orders.see"):
        # Nobody of that role could ever see the task (tasks on orders are shown only to
        # those who see the order): refused, not silently lost.
        raise Invalid(
            f"assignee_role: {assignee_role!r} sees no orders; a task on an order needs "
            "someone who does",
            code="role_sees_no_orders",
        )
    if due_at is not None and due_at.tzinfo is None:
        raise Invalid("due_at: a time zone offset is required", code="invalid_input")
    if order_id is not None:
        # A task on an order just created: wait for the order here, holding no connection.
        await known_orders.require(order_id)
    async with pool.acquire() as conn, conn.transaction():
        if assignee_id is not None and await crew_store.get_member(conn, assignee_id) is None:
            # The body names someone who does not exist: a 422, like any invalid field.
            raise Invalid(f"assignee_id: no crew member {assignee_id}", code="unknown_member")
        now = emitter.clock()
        task = Task.new(
            id=uuid.uuid4(),
            order_id=order_id,
            kind="custom",
            title=title,
            assignee_id=assignee_id,
            assignee_role=assignee_role,
            due_at=due_at,
            created_at=now,
        )
        await task_store.insert(conn, task)
        event = task_created(task)
        await emitter.emit(conn, [Pending(event, f"task-{task.id}", actor)])
        return task_store.task_to_api(task)

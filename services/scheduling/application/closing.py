"""When an order ends (cancelled or closed), its booked visits and open tasks end with it:
the crew's calendars free up, nobody is reminded of a visit to a cancelled order, and the
"my tasks" lists stop showing work that will never be done.

Runs in the consumer's transaction for the StageChanged event; event ids derive from that
event, so a redelivery cancels nothing twice.
"""

from __future__ import annotations

from uuid import UUID

from contracts.envelope import Actor, Envelope
from contracts.events.scheduling import TaskCancelled, VisitCancelled
from plumbing.db import Conn
from services.scheduling.adapters import task_store, visit_store
from services.scheduling.application.events import Emitter, Pending, derived_id

ENDING_STAGES = frozenset({"cancelled", "closed"})
RULE = "order-ended"


async def end_order_work(
    conn: Conn, emitter: Emitter, order_id: UUID, to_stage: str, cause: Envelope
) -> None:
    reason = "заказ отменён" if to_stage == "cancelled" else "заказ закрыт"
    actor = Actor(kind="system")
    pending: list[Pending] = []
    for visit in await visit_store.booked_of_order(conn, order_id):
        await visit_store.set_status(conn, visit.id, "cancelled")
        event = VisitCancelled(
            visit_id=visit.id,
            order_id=order_id,
            kind=visit.kind,  # type: ignore[arg-type]
            task_id=visit.task_id,
            reason=reason,
        )
        pending.append(
            Pending(
                event,
                f"visit-{visit.id}",
                actor,
                cause,
                derived_id(cause.event_id, RULE, f"visit:{visit.id}"),
            )
        )
    for task in await task_store.open_of_order(conn, order_id):
        await task_store.cancel(conn, task.id)
        cancelled = TaskCancelled(
            task_id=task.id,
            order_id=order_id,
            visit_id=task.visit_id,
            kind=task.kind,  # type: ignore[arg-type]  # stored from a validated kind
            reason=reason,
        )
        pending.append(
            Pending(
                cancelled,
                f"task-{task.id}",
                actor,
                cause,
                derived_id(cause.event_id, RULE, f"task:{task.id}"),
            )
        )
    if pending:
        await emitter.emit(conn, pending)

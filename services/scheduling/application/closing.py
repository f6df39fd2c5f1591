"""When an order ends (it enters a terminal stage of its pipeline: closed, cancelled), its
booked visits and open tasks end with it: the crew's calendars free up, nobody is reminded
of a visit to a cancelled order, and the "my tasks" lists stop showing work that will never
be done.

Runs in the consumer's transaction for the StageChanged event; event ids derive from that
event, so a redelivery cancels nothing twice.
"""

from __future__ import annotations

from uuid import UUID

from contracts.envelope import Actor, Envelope
from contracts.events.scheduling import TaskCancelled, VisitCancelled
from contracts.pipeline import PipelineDefinition
from plumbing.db import Conn
from services.scheduling.adapters import order_store, pipeline_store, task_store, visit_store
from services.scheduling.application.events import Emitter, Pending, derived_id

# The terminal stages of every pipeline version so far, used only while the order's version
# has not arrived here (PipelinePublished travels on its own partition, key "pipeline", so an
# order's StageChanged may come first) or the order is unknown here: a cancelled order should
# not keep its crew booked meanwhile. Once the version is here, its `terminal` flags decide.
ENDINGS_BEFORE_THE_VERSION = frozenset({"cancelled", "closed"})
RULE = "order-ended"


def ends_the_order(stage: str, pipeline: PipelineDefinition | None) -> bool:
    """Whether entering `stage` ends the order, by its version's pipeline (None: not here)."""
    found = pipeline.stage(stage) if pipeline else None
    if found is None:
        return stage in ENDINGS_BEFORE_THE_VERSION
    return found.terminal


async def order_ended(conn: Conn, order_id: UUID, stage: str) -> bool:
    order = await order_store.get(conn, order_id)
    pipeline = await pipeline_store.get(conn, order.pipeline_version) if order else None
    return ends_the_order(stage, pipeline)


async def end_order_work(
    conn: Conn, emitter: Emitter, order_id: UUID, by_cancelling: bool, cause: Envelope
) -> None:
    reason = "заказ отменён" if by_cancelling else "заказ закрыт"
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

"""Gate conditions evaluated over the facts an order has collected. Pure."""

from __future__ import annotations

from collections.abc import Callable

from services.orders.domain.model import DoneTask, Order
from services.orders.domain.pipeline import Condition, Pipeline


def _customer_complete(order: Order, _: Condition) -> bool:
    c = order.customer
    return bool(c and c.name.strip() and c.phone and c.address.one_line().strip())


def _media_attached(order: Order, cond: Condition) -> bool:
    kind, purpose = cond.params.get("kind"), cond.params.get("purpose")
    return any(
        (kind is None or m.kind == kind) and (purpose is None or m.purpose == purpose)
        for m in order.media.values()
    )


def _visit_booked(order: Order, cond: Condition) -> bool:
    wanted = cond.params.get("visit_kind")
    return any(v.kind == wanted and v.status == "booked" for v in order.visits.values())


def _visit_tasks_done(order: Order, visit_kind: object) -> list[DoneTask]:
    """The completed tasks of the order's visits of this kind (cancelled visits aside).

    DOMAIN.md: a gate that needs "the task completed" means the task of that stage's visit. A
    task that belongs to no such visit — a robot's task for a role, completed before anyone
    booked the visit, or a task of another kind — never opens the gate, or whoever could
    complete a stray role task would pass it while the visit's own task is still open. A task
    is the visit's when it names the visit, or the visit names it (the booking's task).
    """
    visits = {
        visit_id: v
        for visit_id, v in order.visits.items()
        if v.kind == visit_kind and v.status != "cancelled"
    }
    own_tasks = {v.task_id for v in visits.values()}
    return [
        t
        for task_id, t in order.done_tasks.items()
        if task_id in own_tasks or (t.visit_id is not None and t.visit_id in visits)
    ]


def _visit_task_done(order: Order, cond: Condition) -> bool:
    # A task may be completed before its visit's date: the visit's time is not checked.
    return bool(_visit_tasks_done(order, cond.params.get("visit_kind")))


def _measurement_results(order: Order, _: Condition) -> bool:
    # Structured results count from the measurement visit's own task, as the gate above.
    structured = any(t.results is not None for t in _visit_tasks_done(order, "measurement"))
    attached = any(m.purpose == "measurement" for m in order.media.values())
    return structured or attached


CHECKS: dict[str, Callable[[Order, Condition], bool]] = {
    "customer_complete": _customer_complete,
    "media_attached": _media_attached,
    "visit_booked": _visit_booked,
    "visit_task_done": _visit_task_done,
    "measurement_results": _measurement_results,
    "deal_terms": lambda order, _: order.deal is not None,
    "production_finished": lambda order, _: order.production_finished,
}


def unmet(pipeline: Pipeline, order: Order) -> list[Condition]:
    """Every condition of the current stage's gate that does not hold (all, not the first)."""
    return [c for c in pipeline.stage(order.stage).gate if not CHECKS[c.kind](order, c)]

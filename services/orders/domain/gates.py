"""Gate conditions evaluated over the facts an order has collected. Pure."""

from __future__ import annotations

from collections.abc import Callable

from services.orders.domain.model import Order
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


def _visit_task_done(order: Order, cond: Condition) -> bool:
    # The task of that kind of visit; a task may be completed before its visit's date.
    wanted = cond.params.get("visit_kind")
    return any(t.kind == wanted for t in order.done_tasks.values())


def _measurement_results(order: Order, _: Condition) -> bool:
    structured = any(
        t.kind == "measurement" and t.results is not None for t in order.done_tasks.values()
    )
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

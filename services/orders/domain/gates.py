"""Gate conditions evaluated over the facts an order has collected. Pure."""

from __future__ import annotations

from collections.abc import Callable

from services.orders.domain import site_photos
from services.orders.domain.model import DoneTask, Order
from services.orders.domain.pipeline import Condition, Pipeline

# Photo purposes that are a visit's own work: their gates follow the photo rules.
VISIT_PHOTO_PURPOSES = frozenset({"installation", "rework"})


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


def site_rule(cond: Condition) -> tuple[str, str, float] | None:
    """(purpose, visit kind, radius) when the condition follows the photo rules, else None.

    `site_photos` says so itself. A `media_attached` condition for photos of a visit's
    purpose (installation, rework) — the form of every pipeline version saved before the
    rules existed, version 1 included — is read the same way: the rules apply to orders
    already in installation too, while the photos they already had (attached before this
    release, with none of the facts the rules need) keep counting (site_photos.py). A
    version opts out with the parameter `any_photo: "true"`.
    """
    params = cond.params
    if cond.kind == "site_photos":
        purpose = params.get("purpose") or params.get("visit_kind") or ""
        kind = params.get("visit_kind") or purpose
    elif (
        cond.kind == "media_attached"
        and params.get("kind") == "photo"
        and params.get("purpose") in VISIT_PHOTO_PURPOSES
        and params.get("any_photo") != "true"
    ):
        purpose = kind = params["purpose"]
    else:
        return None
    try:
        radius = float(params.get("max_distance_m") or site_photos.DEFAULT_MAX_DISTANCE_M)
    except ValueError:
        radius = site_photos.DEFAULT_MAX_DISTANCE_M
    return purpose, kind, radius


def radius_for(pipeline: Pipeline, purpose: str) -> float:
    """The radius the pipeline's photo rule for `purpose` uses (the default without one)."""
    for stage in pipeline.stages:
        for cond in stage.gate:
            rule = site_rule(cond)
            if rule is not None and rule[0] == purpose:
                return rule[2]
    return site_photos.DEFAULT_MAX_DISTANCE_M


def site_verdicts(order: Order, cond: Condition) -> list[site_photos.Verdict] | None:
    rule = site_rule(cond)
    if rule is None:
        return None
    purpose, kind, radius = rule
    return site_photos.verdicts(order, purpose, kind, radius)


# Why no photo counts, in the style of DOMAIN.md's codes: `<purpose>_photos_<why>`.
_WHY: dict[str, tuple[str, str, str]] = {
    "not_confirmed_on_site": (
        "unconfirmed",
        "не подтверждены на объекте: ждут решения менеджера",
        "are not confirmed on site: waiting for a manager's decision",
    ),
    "rejected": ("rejected", "отклонены менеджером", "were rejected by a manager"),
    "taken_before_booking": (
        "taken_before_booking",
        "сделаны до того, как выезд был назначен",
        "were taken before the visit was booked",
    ),
    "by_someone_else": (
        "by_someone_else",
        "загружены не исполнителем выезда",
        "were uploaded by someone other than the visit's assignee",
    ),
    "not_from_visit": (
        "not_from_visit",
        "не относятся к выезду этой стадии",
        "do not belong to this stage's visit",
    ),
}
_PHOTOS_OF = {
    "installation": ("Фото монтажа", "Installation photos"),
    "rework": (
        "Фото доработки",
        "Rework photos",
    ),
}


def _site_unmet(cond: Condition, found: list[site_photos.Verdict]) -> Condition | None:
    """None when a photo counts; the condition itself when there is none; else a condition
    with a code and message saying why the photos there are do not count."""
    if any(v.counts for v in found):
        return None
    if not found:
        return cond
    worst = min(found, key=lambda v: site_photos.FAILURE_ORDER.index(v.reason))
    suffix, ru, en = _WHY[worst.reason]
    purpose = site_rule(cond)
    name = purpose[0] if purpose else "site"
    title_ru, title_en = _PHOTOS_OF.get(name, (f"Фото ({name})", f"Photos ({name})"))
    return Condition(
        code=f"{name}_photos_{suffix}",
        kind=cond.kind,
        message_ru=f"{title_ru} {ru}",
        message_en=f"{title_en} {en}",
        params=cond.params,
    )


CHECKS: dict[str, Callable[[Order, Condition], bool]] = {
    "customer_complete": _customer_complete,
    "media_attached": _media_attached,
    "visit_booked": _visit_booked,
    "visit_task_done": _visit_task_done,
    "measurement_results": _measurement_results,
    "deal_terms": lambda order, _: order.deal is not None,
    "production_finished": lambda order, _: order.production_finished,
    # Evaluated by _site_unmet in `unmet`; here for the kinds' table (never reached there).
    "site_photos": lambda order, cond: _site_unmet(cond, site_verdicts(order, cond) or []) is None,
}


def unmet(pipeline: Pipeline, order: Order) -> list[Condition]:
    """Every condition of the current stage's gate that does not hold (all, not the first).
    A photo-rule condition whose photos exist but none counts is reported with the reason's
    own code (`installation_photos_unconfirmed`, ...)."""
    found: list[Condition] = []
    for cond in pipeline.stage(order.stage).gate:
        verdicts = site_verdicts(order, cond)
        if verdicts is not None:
            why = _site_unmet(cond, verdicts)
            if why is not None:
                found.append(why)
        elif not CHECKS[cond.kind](order, cond):
            found.append(cond)
    return found


def counted_photos(pipeline: Pipeline, order: Order) -> list[site_photos.Verdict]:
    """The photos that satisfy the current stage's photo-rule conditions (for the history)."""
    counted: list[site_photos.Verdict] = []
    for cond in pipeline.stage(order.stage).gate:
        counted += [v for v in site_verdicts(order, cond) or [] if v.counts]
    return counted

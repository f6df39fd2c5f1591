"""The events that bring one planned order over, or bring an imported one up to date. Pure.

Each event comes with the moment it happened: a creation at the deal's DATE_CREATE, each stage
move when Bitrix24's history says it happened, so the order's history and the projections'
time-in-stage report count the past, not the moment of the import. What a re-run changes that
has no time in the source (a title, the customer) happens at `now`.

Gates are not asked: an imported order is where Bitrix24 says it is; its history there is a
fact, not a request to move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from contracts.events import orders as ev
from contracts.pipeline import CANCELLED
from services.orders.domain.bitrix24 import SOURCE, Move, PlannedOrder
from services.orders.domain.model import Order
from services.orders.domain.pipeline import Pipeline

REASON_RU = "так в истории сделки в Битрикс24"


@dataclass(frozen=True)
class Timed:
    event: BaseModel
    at: datetime


def creation(planned: PlannedOrder, order_id: UUID, number: int, pipeline: Pipeline) -> list[Timed]:
    at = planned.created_at
    out = [
        Timed(
            ev.OrderCreated(
                order_id=order_id,
                number=number,
                title=planned.title,
                customer=planned.customer,
                manager_id=planned.manager_id,
                pipeline_version=pipeline.version,
                imported_from="bitrix24",
            ),
            at,
        ),
        Timed(_imported(planned, order_id), at),
    ]
    if planned.amount is not None:
        out.append(Timed(_deal(planned, order_id, None), at))
    out.extend(_stage_moves(order_id, pipeline.first(), planned.moves, pipeline))
    return out


def changes(
    planned: PlannedOrder, state: Order, pipeline: Pipeline, now: datetime
) -> tuple[list[Timed], list[str]]:
    """What a re-run adds to an order it imported before, and the names of what changed.
    A stage moves only for Bitrix24 moves later than the order's last one here: a move made
    in this system since the last import is newer, and wins."""
    assert state.id is not None
    entered = state.stage_entered_at or state.created_at or now
    later = tuple(m for m in planned.moves if m.at > entered)
    out = _stage_moves(state.id, state.stage, later, pipeline)
    changed = ["stage"] if out else []
    if planned.title != state.title:
        out.append(Timed(ev.TitleChanged(order_id=state.id, title=planned.title), now))
        changed.append("title")
    if planned.customer != state.customer:
        out.append(Timed(ev.CustomerUpdated(order_id=state.id, customer=planned.customer), now))
        changed.append("customer")
    if planned.manager_id is not None and planned.manager_id != state.manager_id:
        assigned = ev.ManagerAssigned(order_id=state.id, manager_id=planned.manager_id)
        out.append(Timed(assigned, now))
        changed.append("manager")
    if planned.amount is not None and (state.deal is None or state.deal.amount != planned.amount):
        out.append(Timed(_deal(planned, state.id, state), now))
        changed.append("amount")
    if planned.comments != state.import_comments:
        out.append(Timed(_imported(planned, state.id), now))
        changed.append("comments")
    return out, changed


def _imported(planned: PlannedOrder, order_id: UUID) -> ev.OrderImported:
    return ev.OrderImported(
        order_id=order_id,
        source=SOURCE,
        external_ref=planned.ref,
        comments=planned.comments,
        currency=planned.currency,
    )


def _deal(planned: PlannedOrder, order_id: UUID, state: Order | None) -> ev.DealTermsRecorded:
    """The amount as the deal's terms; the other terms have no field in Bitrix24's deal and
    stay as recorded here (empty on a new order)."""
    assert planned.amount is not None
    kept = state.deal if state is not None else None
    return ev.DealTermsRecorded(
        order_id=order_id,
        amount=planned.amount,
        decor=kept.decor if kept else "",
        finishing=kept.finishing if kept else "",
        extra_work=kept.extra_work if kept else "",
        payment_terms=kept.payment_terms if kept else "",
    )


def _stage_moves(
    order_id: UUID, start: str, moves: tuple[Move, ...], pipeline: Pipeline
) -> list[Timed]:
    out: list[Timed] = []
    where = start
    direction: Literal["forward", "back", "cancel"]
    for move in moves:
        if move.stage == where or not pipeline.knows(move.stage):
            continue  # an order on an older pipeline version may lack a newer stage
        if move.stage == CANCELLED:
            direction, reason = "cancel", REASON_RU
        elif pipeline.index(move.stage) > pipeline.index(where):
            direction, reason = "forward", None
        else:
            direction, reason = "back", REASON_RU
        changed = ev.StageChanged(
            order_id=order_id,
            from_stage=where,
            to_stage=move.stage,
            direction=direction,
            reason=reason,
            imported_from=SOURCE,  # history: robots and notifications leave it alone
        )
        out.append(Timed(changed, move.at))
        where = move.stage
    return out

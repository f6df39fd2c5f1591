"""evolve(state, event) -> state. Pure and total: unknown events leave the state as it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel

from contracts.events.orders import OrderCreated
from services.orders.domain.model import Order


def evolve(state: Order, event: BaseModel, at: datetime) -> Order:
    match event:
        case OrderCreated():
            state = replace(
                state,
                id=event.order_id,
                number=event.number,
                title=event.title,
                customer=event.customer,
                description=event.description,
                manager_id=event.manager_id,
                stage="intake",
                stage_entered_at=at,
                pipeline_version=event.pipeline_version,
            )
    return replace(state, version=state.version + 1)

"""decide(command, state) -> events. Pure: time, ids and numbers arrive in the command."""

from __future__ import annotations

from pydantic import BaseModel

from contracts.events.orders import OrderCreated
from services.orders.domain.errors import InvalidOrder, OrderAlreadyExists
from services.orders.domain.model import Command, CreateOrder, Order


def decide(command: Command, state: Order) -> list[BaseModel]:
    match command:
        case CreateOrder():
            if state.exists:
                raise OrderAlreadyExists(f"order {command.order_id} already exists")
            if not command.title.strip():
                raise InvalidOrder("title: must not be empty")
            return [
                OrderCreated(
                    order_id=command.order_id,
                    number=command.number,
                    title=command.title.strip(),
                    customer=command.customer,
                    description=command.description,
                    manager_id=command.actor.id if command.actor.role == "manager" else None,
                    pipeline_version=command.pipeline_version,
                )
            ]
    raise TypeError(f"unknown command {command!r}")  # pragma: no cover - exhaustive match

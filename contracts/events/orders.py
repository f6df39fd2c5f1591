"""Events of the orders service (topic `orders.events`, stream `order-<id>`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.common import Customer, CustomerV1


class OrderCreatedV1(BaseModel):
    """First shape: the customer address was one free-text line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    number: int
    title: str
    customer: CustomerV1
    description: str | None = None
    manager_id: str | None = None
    pipeline_version: int = 1


class OrderCreated(BaseModel):
    """v2: `customer.address` is structured (city, street, building, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    number: int = Field(ge=1)
    title: str
    customer: Customer
    description: str | None = None
    manager_id: str | None = None
    pipeline_version: int = 1


def upcast_order_created_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 → v2: a free-text address becomes `{"text": ...}`; nothing is guessed from it."""
    customer = dict(data["customer"])
    customer["address"] = {"text": customer["address"]}
    return {**data, "customer": customer}

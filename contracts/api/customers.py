"""Customers found by phone (GET /api/v1/customers?phone=): who already ordered from that
number, with their recent orders, so the create-order form can offer them. Only those who
create orders ask (managers, directors); nothing here is commercial, so every audience's
model is the same."""

from __future__ import annotations

from pydantic import Field

from contracts.api.audience import Shown, Views
from contracts.api.cards import AddressOut
from contracts.api.common import Id


class CustomerOrder(Shown):
    id: Id
    number: int
    title: str
    stage: str
    stage_title: str | None = Field(default=None, description="the title in the order's pipeline")


class FoundCustomer(Shown):
    name: str
    phone: str = Field(description="as the orders hold it (E.164)")
    address: AddressOut | str | None = Field(
        default=None, description="the most recent order's address"
    )
    address_text: str | None = None
    orders: list[CustomerOrder] = Field(description="at most 20, most recent first")


CUSTOMERS = Views.of(list[FoundCustomer])

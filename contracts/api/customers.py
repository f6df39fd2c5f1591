"""Customers found by phone (GET /api/v1/customers?phone=): who already ordered from that
number, with their recent orders, so the create-order form can offer them; and the customer
directory and a customer's page (issue 20). Only those who
create orders ask (managers, directors); nothing here is commercial, so every audience's
model is the same."""

from __future__ import annotations

from pydantic import Field

from contracts.api.audience import Shown, Views
from contracts.api.cards import AddressOut
from contracts.api.common import Id, Timestamp


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


# The directory (issue 20): one customer per number, the orders' history on one page. Only
# those who see every order ask (managers, directors: `orders.see_all`), and nothing here is
# commercial, so every audience's model is the same.


class DirectoryCustomer(Shown):
    digits: str = Field(description="the number's digits (phone_digits): the customer's key")
    name: str = Field(description="as their most recent order names them")
    phone: str = Field(description="as their most recent order holds it (E.164)")
    orders: int
    open_orders: int = Field(description="orders not in a terminal stage")
    first_order_at: Timestamp
    last_order_at: Timestamp
    last_activity_at: Timestamp = Field(description="the latest order creation or stage move")


class CustomerDirectory(Shown):
    total: int = Field(description="how many customers match")
    offset: int
    customers: list[DirectoryCustomer] = Field(description="most recently active first")


class CustomerAddress(Shown):
    text: str
    address: AddressOut | str | None = None


class CustomerPageOrder(Shown):
    id: Id
    number: int
    title: str
    stage: str
    stage_title: str | None = None
    closed: bool = Field(description="in a terminal stage")
    created_at: Timestamp
    stage_entered_at: Timestamp


class CustomerPage(Shown):
    customer: DirectoryCustomer
    names: list[str] = Field(description="every name they ordered under, most recent first")
    phones: list[str] = Field(description="every form of the number their orders hold")
    addresses: list[CustomerAddress] = Field(description="most recent first")
    orders: list[CustomerPageOrder] = Field(description="every order, newest first (at most 500)")


DIRECTORY = Views.of(CustomerDirectory)
CUSTOMER_PAGE = Views.of(CustomerPage)

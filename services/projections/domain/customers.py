"""Customers found by phone, from the board's card rows: there is no customer entity, so a
customer is a name at a number, as the orders hold them. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from contracts.api.phones import phone_digits

ORDERS_PER_CUSTOMER = 20


def _same_person(name: str) -> str:
    """Names typed a little differently are one customer: case and spacing aside."""
    return " ".join(name.split()).casefold()


def customers_at(rows: Iterable[Mapping[str, Any]], digits: str) -> list[dict[str, Any]]:
    """The customers whose number is `digits` (phone_digits of what was asked), each with
    their orders, most recent first, at most ORDERS_PER_CUSTOMER. `rows` are card rows
    (customer_name, phone, address, address_json, id, number, title, stage,
    pipeline_version), most recent first; rows at another number are left out, so a coarse
    search may feed them. The customer with the most recent order comes first, with that
    order's name, number and address."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if phone_digits(row["phone"]) != digits:
            continue
        customer = found.setdefault(
            _same_person(row["customer_name"]),
            {
                "name": row["customer_name"],
                "phone": row["phone"],
                "address": row["address_json"],
                "address_text": row["address"],
                "orders": [],
            },
        )
        if len(customer["orders"]) < ORDERS_PER_CUSTOMER:
            customer["orders"].append(
                {
                    "id": row["id"],
                    "number": row["number"],
                    "title": row["title"],
                    "stage": row["stage"],
                    "pipeline_version": row["pipeline_version"],
                }
            )
    return list(found.values())

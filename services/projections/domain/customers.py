"""Customers found by phone, from the board's card rows: there is no customer entity, so a
customer is a name at a number, as the orders hold them. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from contracts.api.phones import MIN_DIGITS, phone_digits

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


# The directory (issue 20): one customer per number, found by any form of it or by name.


def directory_search(name: str, digits: str) -> str:
    """What the directory's `q` matches in a customer's row: the name, lower-cased here in
    Python (PostgreSQL's lower() under the C locale leaves Cyrillic alone), and the digits."""
    return f"{' '.join(name.split()).casefold()} {digits}"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def directory_patterns(q: str) -> list[str]:
    """The LIKE patterns (any of them matches) for what was typed in the directory's search.

    Text with a digit is a number, whole or in part, in any form: a whole number is compared
    as phone_digits makes it; a part keeps its digits, and one typed with the trunk 8 in front
    (`8 916 12`) also matches the +7 form every stored number has. Text without digits is a
    name, matched as a case-insensitive substring. Blank text matches everything ([])."""
    text = " ".join(q.split())
    if not text:
        return []
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if not digits:
        return [_like(text.casefold())]
    if len(digits) >= MIN_DIGITS:
        return [_like(phone_digits(digits))]
    forms = [digits]
    if digits.startswith("8") and len(digits) > 1:
        forms.append("7" + digits[1:])
    return [_like(form) for form in forms]


def customer_page(row: Mapping[str, Any], orders: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One customer's page from their directory row and their card rows (newest first):
    every name and address they ordered under, most recent first, each once (names as
    `_same_person` compares them), and their orders."""
    names: dict[str, str] = {}
    addresses: dict[str, dict[str, Any]] = {}
    phones: dict[str, None] = {}
    listed = []
    for order in orders:
        names.setdefault(_same_person(order["customer_name"]), order["customer_name"])
        text = " ".join(order["address"].split())
        if text:
            addresses.setdefault(text.casefold(), {"text": text, "address": order["address_json"]})
        phones.setdefault(order["phone"])
        listed.append(
            {
                key: order[key]
                for key in (
                    "id",
                    "number",
                    "title",
                    "stage",
                    "pipeline_version",
                    "created_at",
                    "stage_entered_at",
                    "closed",
                )
            }
        )
    return {
        "customer": {k: row[k] for k in _SUMMARY},
        "names": list(names.values()),
        "phones": list(phones),
        "addresses": list(addresses.values()),
        "orders": listed,
    }


_SUMMARY = (
    "digits",
    "name",
    "phone",
    "orders",
    "open_orders",
    "first_order_at",
    "last_order_at",
    "last_activity_at",
)

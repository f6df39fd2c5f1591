"""The customer directory's pure part (issue 20): what a search matches, and how one
customer's page is made from their orders; and who may read it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.roles import roles_with
from services.projections.domain.customers import (
    customer_page,
    directory_patterns,
    directory_search,
)


def matches(q: str, name: str, digits: str) -> bool:
    """LIKE, as PostgreSQL would run it over the directory's search text."""
    text = directory_search(name, digits)
    patterns = directory_patterns(q)
    if not patterns:
        return True

    def regex(pattern: str) -> str:
        out, i = "", 0
        while i < len(pattern):
            ch = pattern[i]
            if ch == "\\":
                out += re.escape(pattern[i + 1])
                i += 2
                continue
            out += ".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
            i += 1
        return out

    return any(re.fullmatch(regex(p), text, re.DOTALL) for p in patterns)


@pytest.mark.parametrize(
    "q",
    [
        "+7 916 123-45-67",
        "8 (916) 123 45 67",
        "89161234567",
        "9161234567",
        "916 123",
        "8 916 12",
        "+7-916",
        "4567",
        "иванова",
        "ИВАНОВА мария",
        "  мария  ",
        "",
    ],
)
def test_a_number_in_any_form_or_a_part_of_the_name_finds_the_customer(q: str) -> None:
    assert matches(q, "Иванова  Мария", "79161234567"), q


@pytest.mark.parametrize("q", ["+7 916 000-45-67", "8 926", "петрова", "9999", "%", "_", "\\"])
def test_other_numbers_and_names_do_not(q: str) -> None:
    assert not matches(q, "Иванова Мария", "79161234567"), q


def test_like_wildcards_typed_are_taken_literally() -> None:
    assert directory_patterns("a%_b") == ["%a\\%\\_b%"]
    assert directory_patterns("50%") == ["%50%"]  # a number: its digits only
    assert directory_patterns("a\\b") == ["%a\\\\b%"]


def order(n: int, name: str, phone: str, address: str, **extra: Any) -> dict[str, Any]:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "number": n,
        "title": f"Кухня {n}",
        "stage": "intake",
        "pipeline_version": 1,
        "created_at": at,
        "stage_entered_at": at,
        "closed": False,
        "customer_name": name,
        "phone": phone,
        "address": address,
        "address_json": {"text": address},
        **extra,
    }


def test_a_customer_page_lists_each_name_number_and_address_once_most_recent_first() -> None:
    row = {
        "digits": "79161234567",
        "name": "Иванова Мария",
        "phone": "+79161234567",
        "orders": 3,
        "open_orders": 2,
        "first_order_at": "a",
        "last_order_at": "b",
        "last_activity_at": "c",
        "search": "not shown",
    }
    orders = [
        order(3, "Иванова Мария", "+79161234567", "Химки, Ленина, 2"),
        order(2, "иванова  мария", "+79161234567", "Москва, Мира, 1"),
        order(1, "Иванова Маша", "+7 916 123-45-67", "Москва,  Мира, 1", closed=True),
    ]
    page = customer_page(row, orders)
    assert page["customer"] == {k: v for k, v in row.items() if k != "search"}
    assert page["names"] == ["Иванова Мария", "Иванова Маша"]
    assert page["phones"] == ["+79161234567", "+7 916 123-45-67"]
    assert [a["text"] for a in page["addresses"]] == ["Химки, Ленина, 2", "Москва, Мира, 1"]
    assert [o["number"] for o in page["orders"]] == [3, 2, 1]
    assert page["orders"][2]["closed"] is True
    assert "customer_name" not in page["orders"][0]


def test_only_the_office_reads_the_directory() -> None:
    """orders.see_all: the directory lists every order of a number, whoever is assigned."""
    assert roles_with("orders.see_all") == {"manager", "director"}

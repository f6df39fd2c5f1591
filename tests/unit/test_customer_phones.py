"""Finding a customer by phone: one number however it is typed, and the customers a number's
orders make (the projections' pure part)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from contracts.api.phones import MIN_DIGITS, phone_digits, same_phone
from services.projections.domain.customers import ORDERS_PER_CUSTOMER, customers_at


@pytest.mark.parametrize(
    "typed",
    [
        "+7 916 123-45-67",
        "8 (916) 123 45 67",
        "79161234567",
        "89161234567",
        "9161234567",
        "+7(916)123-45-67",
        " 8-916-123-45-67 ",
        "+79161234567",
    ],
)
def test_the_russian_forms_of_a_number_are_one_number(typed: str) -> None:
    assert phone_digits(typed) == "79161234567"
    assert same_phone(typed, "+7 916 123-45-67")


def test_another_number_or_a_foreign_one_is_not_the_same() -> None:
    assert not same_phone("+7 916 123-45-68", "+7 916 123-45-67")
    assert phone_digits("+49 30 1234567") == "49301234567"  # not 10 or 11 digits: as typed
    assert phone_digits("+44 20 7946 0958") == "442079460958"
    assert not same_phone("+49 30 1234567", "+7 916 123-45-67")


def test_a_fragment_keeps_its_few_digits_so_it_can_be_refused() -> None:
    assert len(phone_digits("916 123 45")) < MIN_DIGITS
    assert phone_digits("") == ""
    assert phone_digits("phone") == ""
    assert len(phone_digits("916 123 45 6")) < MIN_DIGITS
    assert len(phone_digits("916 123 45 67")) >= MIN_DIGITS


def test_only_ascii_digits_count() -> None:
    # Arabic-Indic digits are digits to `str.isdigit`, but no phone holds them.
    assert phone_digits("٩١٦١٢٣٤٥٦٧") == ""


def _row(name: str, phone: str, number: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "number": number,
        "title": f"Заказ {number}",
        "stage": "intake",
        "pipeline_version": 1,
        "customer_name": name,
        "phone": phone,
        "address": f"Москва, дом {number}",
        "address_json": {"text": f"Москва, дом {number}"},
        **extra,
    }


def test_a_number_makes_one_customer_per_name_newest_first() -> None:
    rows = [  # most recent first, as the store gives them
        _row("Иванов Пётр", "+79161234567", 30),
        _row("Петрова Анна", "+79161234567", 29),
        _row("иванов  пётр", "+79161234567", 28),  # the same person, typed differently
        _row("Сидоров", "+79161234568", 27),  # another number the coarse search let in
    ]
    found = customers_at(rows, phone_digits("8 (916) 123 45 67"))
    assert [c["name"] for c in found] == ["Иванов Пётр", "Петрова Анна"]
    ivanov = found[0]
    assert [o["number"] for o in ivanov["orders"]] == [30, 28]
    assert ivanov["phone"] == "+79161234567"
    assert ivanov["address_text"] == "Москва, дом 30"  # the most recent order's
    assert ivanov["address"] == {"text": "Москва, дом 30"}
    assert set(ivanov["orders"][0]) == {"id", "number", "title", "stage", "pipeline_version"}


def test_a_customer_shows_at_most_twenty_orders_the_most_recent() -> None:
    rows = [_row("Иванов", "+79161234567", n) for n in range(100, 70, -1)]
    (customer,) = customers_at(rows, "79161234567")
    assert len(customer["orders"]) == ORDERS_PER_CUSTOMER == 20
    assert [o["number"] for o in customer["orders"]] == list(range(100, 80, -1))


def test_nobody_at_a_number_no_order_has() -> None:
    assert customers_at([_row("Иванов", "+79161234567", 1)], "79990000000") == []

"""Phone numbers as Russian customers and managers type them."""

from __future__ import annotations

import pytest

from services.orders.domain.phone import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["+7 915 123-45-67", "8 (915) 1234567", "89151234567", "9151234567", "+7(915)123 45 67"],
)
def test_usual_russian_forms_become_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+79151234567"


def test_a_foreign_number_with_plus_is_kept() -> None:
    assert normalize_phone("+49 30 1234567") == "+49301234567"


@pytest.mark.parametrize(
    "raw", ["", "   ", "12345", "+7 915 123", "phone", "8 915 123 45 67 89", "+1"]
)
def test_malformed_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)

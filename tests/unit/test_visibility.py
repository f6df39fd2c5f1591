"""Hidden means hidden: the one function that strips commercial data for other roles."""

from __future__ import annotations

import json

import pytest

from gateway.domain.visibility import may_see_order, strip_commercial

CARD = {
    "id": "o1",
    "title": "Шкаф",
    "deal": {"amount": "150000.00", "payment_terms": "50% предоплата"},
    "amount": "150000.00",
    "documents": [
        {"purpose": "signed_contract", "filename": "contract.pdf"},
        {"purpose": "requirements", "filename": "wishes.pdf"},
        {"purpose": "calculation", "filename": "calc.xlsx"},
    ],
    "history": [{"type": "orders.DealTermsRecorded", "data": {"prepayment": "75000"}}],
}


@pytest.mark.parametrize("role", ["measurer", "installer", "delivery", "production"])
def test_field_roles_and_production_never_see_commercial_data(role: str) -> None:
    text = json.dumps(strip_commercial(CARD, role), ensure_ascii=False)
    for hidden in (
        "150000",
        "payment_terms",
        "предоплата",
        "amount",
        "deal",
        "prepayment",
        "contract.pdf",
        "calc.xlsx",
    ):
        assert hidden not in text
    assert "wishes.pdf" in text


@pytest.mark.parametrize("role", ["manager", "director", "admin"])
def test_commercial_roles_see_everything(role: str) -> None:
    assert strip_commercial(CARD, role) == CARD


def test_who_may_see_an_order() -> None:
    assert may_see_order("manager", "intake", assigned=False)
    assert not may_see_order("measurer", "measurement", assigned=False)
    assert may_see_order("measurer", "measurement", assigned=True)
    assert not may_see_order("production", "contract", assigned=False)
    assert may_see_order("production", "production", assigned=False)

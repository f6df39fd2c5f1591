"""The order as it was (domain/as_of.py): only events recorded at or before the moment are
folded; a moment before the order existed or in the future is refused with a clear reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.events import orders as ev
from contracts.events.common import Address, Customer
from services.orders.domain.as_of import as_of
from services.orders.domain.errors import BeforeCreation, MomentInFuture

OID = uuid.UUID("6a1d7b63-9b62-4d1f-8b68-4e2f3a5c7d81")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)
CUSTOMER = Customer(name="Иванов", phone="+79151234567", address=Address(text="Москва"))


def deal(amount: str) -> ev.DealTermsRecorded:
    return ev.DealTermsRecorded(
        order_id=OID,
        amount=Decimal(amount),
        decor="шпон",
        finishing="лак",
        extra_work="",
        payment_terms="50%",
    )


STREAM = [
    (ev.OrderCreated(order_id=OID, number=7, title="Шкаф", customer=CUSTOMER), T0),
    (
        ev.StageChanged(
            order_id=OID, from_stage="intake", to_stage="measurement", direction="forward"
        ),
        T0 + timedelta(days=1),
    ),
    (deal("100000"), T0 + timedelta(days=2)),
    (
        ev.StageChanged(
            order_id=OID, from_stage="measurement", to_stage="contract", direction="forward"
        ),
        T0 + timedelta(days=3),
    ),
    (deal("125000"), T0 + timedelta(days=4)),
]


def test_a_moment_between_two_events_shows_the_state_after_the_earlier_one() -> None:
    order = as_of(STREAM, T0 + timedelta(days=2, hours=12), NOW)
    assert order.stage == "measurement"
    assert order.stage_entered_at == T0 + timedelta(days=1)
    assert order.deal is not None
    assert order.deal.amount == Decimal("100000")
    assert order.version == 3


def test_an_event_recorded_exactly_at_the_moment_is_included() -> None:
    order = as_of(STREAM, T0 + timedelta(days=3), NOW)
    assert order.stage == "contract"


def test_the_creation_moment_shows_the_new_order() -> None:
    order = as_of(STREAM, T0, NOW)
    assert (order.stage, order.deal, order.version) == ("intake", None, 1)


def test_after_the_last_event_is_the_current_state() -> None:
    order = as_of(STREAM, NOW, NOW)
    assert order.stage == "contract"
    assert order.deal is not None
    assert order.deal.amount == Decimal("125000")
    assert order.version == len(STREAM)


def test_before_the_order_existed_is_refused_with_its_creation_time() -> None:
    with pytest.raises(BeforeCreation) as refused:
        as_of(STREAM, T0 - timedelta(seconds=1), NOW)
    assert refused.value.extra["created_at"] == T0.isoformat()
    assert "did not exist yet" in refused.value.message


def test_a_moment_in_the_future_is_refused() -> None:
    with pytest.raises(MomentInFuture, match="in the future"):
        as_of(STREAM, NOW + timedelta(minutes=1), NOW)

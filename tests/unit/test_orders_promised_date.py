"""The date promised to the customer: set at creation or later, changed, cleared; never a
day before the order was taken (DOMAIN.md beyond the seed; issue 13, item 3)."""

from __future__ import annotations

from datetime import date

from contracts.events import orders as ev
from services.orders.domain.errors import InvalidOrder, OrderClosed
from services.orders.domain.model import CreateOrder, SetPromisedDate
from tests.unit.orders_scenario import AT, CUSTOMER, MANAGER, OID, created, given, moved

DAY = date(2026, 12, 12)


def promised(on: date | None) -> ev.PromisedDateSet:
    return ev.PromisedDateSet(order_id=OID, promised_date=on)


def test_a_promise_given_at_creation_follows_the_order_created() -> None:
    command = CreateOrder(OID, 7, "Шкаф", CUSTOMER, None, MANAGER, AT, promised_date=DAY)
    given().when(command).then(created(), promised(DAY))


def test_an_order_created_without_a_promise_has_none() -> None:
    given().when(CreateOrder(OID, 7, "Шкаф", CUSTOMER, None, MANAGER, AT)).then(created())


def test_the_promise_can_be_the_day_the_order_is_taken() -> None:
    given(created()).when(SetPromisedDate(AT.date())).then(promised(AT.date()))


def test_a_promise_before_the_order_was_created_is_refused_with_both_days() -> None:
    error = given(created()).when(SetPromisedDate(date(2026, 11, 25))).then_raises(InvalidOrder)
    assert "2026-11-25" in error.message
    assert "2026-11-26" in error.message
    command = CreateOrder(
        OID, 7, "Шкаф", CUSTOMER, None, MANAGER, AT, promised_date=date(2026, 1, 1)
    )
    given().when(command).then_raises(InvalidOrder, "promised_date_too_early")


def test_the_promise_is_changed_and_cleared() -> None:
    given(created(), promised(DAY)).when(SetPromisedDate(date(2026, 12, 20))).then(
        promised(date(2026, 12, 20))
    )
    given(created(), promised(DAY)).when(SetPromisedDate(None)).then(promised(None))


def test_the_same_promise_again_changes_nothing() -> None:
    given(created(), promised(DAY)).when(SetPromisedDate(DAY)).then()
    given(created()).when(SetPromisedDate(None)).then()


def test_a_closed_order_keeps_its_promise() -> None:
    given(created(), moved("installation", "closed")).when(SetPromisedDate(DAY)).then_raises(
        OrderClosed
    )


def test_the_state_holds_the_promise() -> None:
    assert given(created(), promised(DAY)).state().promised_date == DAY
    assert given(created(), promised(DAY), promised(None)).state().promised_date is None

"""The Order decider, given/when/then over events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from contracts.envelope import Actor
from contracts.events.common import Address, Customer
from contracts.events.orders import OrderCreated
from plumbing.errors import DomainError
from services.orders.domain.decide import decide
from services.orders.domain.errors import InvalidOrder, OrderAlreadyExists
from services.orders.domain.evolve import evolve
from services.orders.domain.model import Command, CreateOrder, Order

AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
MANAGER = Actor(kind="user", id=str(uuid.uuid4()), username="manager", role="manager")
DIRECTOR = Actor(kind="user", id=str(uuid.uuid4()), username="director", role="director")
CUSTOMER = Customer(name="Иванов", phone="+79151234567", address=Address(text="Москва"))


@dataclass
class Scenario:
    history: list[BaseModel] = field(default_factory=list)
    command: Command | None = None

    def when(self, command: Command) -> Scenario:
        self.command = command
        return self

    def _state(self) -> Order:
        state = Order()
        for event in self.history:
            state = evolve(state, event, AT)
        return state

    def then(self, *expected: BaseModel) -> None:
        assert self.command is not None
        assert decide(self.command, self._state()) == list(expected)

    def then_raises(self, error: type[DomainError], code: str | None = None) -> None:
        assert self.command is not None
        with pytest.raises(error) as info:
            decide(self.command, self._state())
        if code is not None:
            assert info.value.code == code


def given(*events: BaseModel) -> Scenario:
    return Scenario(list(events))


def create(order_id: uuid.UUID, actor: Actor = MANAGER, title: str = "Шкаф") -> CreateOrder:
    return CreateOrder(order_id, 7, title, CUSTOMER, None, actor, AT)


def created(order_id: uuid.UUID, manager_id: str | None = MANAGER.id) -> OrderCreated:
    return OrderCreated(
        order_id=order_id, number=7, title="Шкаф", customer=CUSTOMER, manager_id=manager_id
    )


def test_a_manager_creates_an_order_and_becomes_its_manager() -> None:
    oid = uuid.uuid4()
    given().when(create(oid)).then(created(oid))


def test_an_order_created_by_a_director_has_no_manager_yet() -> None:
    oid = uuid.uuid4()
    given().when(create(oid, DIRECTOR)).then(created(oid, manager_id=None))


def test_an_order_cannot_be_created_twice() -> None:
    oid = uuid.uuid4()
    given(created(oid)).when(create(oid)).then_raises(OrderAlreadyExists, "order_exists")


def test_a_blank_title_is_refused() -> None:
    given().when(create(uuid.uuid4(), title="   ")).then_raises(InvalidOrder, "invalid_input")


def test_a_created_order_starts_in_intake_at_version_one() -> None:
    oid = uuid.uuid4()
    state = evolve(Order(), created(oid), AT)
    assert (state.stage, state.version, state.stage_entered_at) == ("intake", 1, AT)
    assert state.exists

"""Given/when/then for the Order decider: `given(events).when(command).then(events)`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel

from contracts.envelope import Actor
from contracts.events import orders as ev
from contracts.events.common import Address, Customer, MeasurementResults, RoomMeasurement
from services.orders.domain.decide import decide
from services.orders.domain.default_pipeline import default_pipeline
from services.orders.domain.errors import OrderError
from services.orders.domain.evolve import evolve
from services.orders.domain.model import Command, Order
from services.orders.domain.pipeline import Pipeline

AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
OID = uuid.UUID("6a1d7b63-9b62-4d1f-8b68-4e2f3a5c7d81")
MANAGER = Actor(kind="user", id=str(uuid.uuid4()), username="manager", role="manager")
DIRECTOR = Actor(kind="user", id=str(uuid.uuid4()), username="director", role="director")
MEASURER = Actor(kind="user", id=str(uuid.uuid4()), username="measurer", role="measurer")
CUSTOMER = Customer(name="Иванов", phone="+79151234567", address=Address(text="Москва"))
ROOMS = MeasurementResults(rooms=[RoomMeasurement(name="Прихожая", width_mm=2400, height_mm=2650)])


@dataclass
class Scenario:
    history: list[BaseModel] = field(default_factory=list)
    command: Command | None = None
    pipeline: Pipeline = field(default_factory=default_pipeline)

    def when(self, command: Command) -> Scenario:
        self.command = command
        return self

    def state(self) -> Order:
        state = Order()
        for event in self.history:
            state = evolve(state, event, AT)
        return state

    def decided(self) -> list[BaseModel]:
        assert self.command is not None
        return decide(self.command, self.state(), self.pipeline)

    def then(self, *expected: BaseModel) -> None:
        assert self.decided() == list(expected)

    def then_raises(self, error: type[OrderError], code: str | None = None) -> OrderError:
        with pytest.raises(error) as info:
            self.decided()
        if code is not None:
            assert info.value.code == code
        return info.value

    def then_unmet(self, *codes: str) -> None:
        from services.orders.domain.errors import GateUnmet  # noqa: PLC0415

        error = self.then_raises(GateUnmet, "gate_unmet")
        assert isinstance(error, GateUnmet)
        assert [c.code for c in error.conditions] == list(codes)


def given(*events: BaseModel) -> Scenario:
    return Scenario(list(events))


# --- fact builders ----------------------------------------------------------------------


def created(manager_id: str | None = MANAGER.id, customer: Customer = CUSTOMER) -> ev.OrderCreated:
    return ev.OrderCreated(
        order_id=OID, number=7, title="Шкаф", customer=customer, manager_id=manager_id
    )


def moved(frm: str, to: str, direction: str = "forward") -> ev.StageChanged:
    return ev.StageChanged(
        order_id=OID,
        from_stage=frm,
        to_stage=to,
        direction=direction,  # type: ignore[arg-type]
    )


def attached(kind: str, purpose: str, media_id: uuid.UUID | None = None) -> ev.MediaAttached:
    return ev.MediaAttached(
        order_id=OID,
        media_id=media_id or uuid.uuid4(),
        kind=kind,  # type: ignore[arg-type]
        purpose=purpose,
        filename=f"{purpose}.bin",
        source_event_id=uuid.uuid4(),
    )


def visit(kind: str, status: str = "booked", visit_id: uuid.UUID | None = None) -> ev.VisitRecorded:
    return ev.VisitRecorded(
        order_id=OID,
        visit_id=visit_id or uuid.uuid4(),
        task_id=uuid.uuid4(),
        kind=kind,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        assignee_id=uuid.uuid4(),
        starts_at=AT + timedelta(days=1),
        ends_at=AT + timedelta(days=1, hours=2),
        source_event_id=uuid.uuid4(),
    )


def task_done(
    kind: str, results: MeasurementResults | None = None, of: ev.VisitRecorded | None = None
) -> ev.TaskDone:
    """A completed task: the task of visit `of` (as scheduling reports it), or, without one,
    a task of no visit — a robot's role task completed before anyone booked the visit."""
    return ev.TaskDone(
        order_id=OID,
        task_id=of.task_id if of else uuid.uuid4(),
        visit_id=of.visit_id if of else None,
        kind=kind,
        completed_by=uuid.uuid4(),
        results=results,
        source_event_id=uuid.uuid4(),
    )


def deal() -> ev.DealTermsRecorded:
    return ev.DealTermsRecorded(
        order_id=OID,
        amount=Decimal("150000.00"),
        decor="Зеркало",
        finishing="Эмаль",
        extra_work="",
        payment_terms="50/50",
    )


INTAKE_DONE = [created(), attached("document", "requirements")]
MEASUREMENT_VISIT = visit("measurement")
MEASURED = [
    *INTAKE_DONE,
    moved("intake", "measurement"),
    MEASUREMENT_VISIT,
    task_done("measurement", ROOMS, of=MEASUREMENT_VISIT),
]
CONTRACTED = [
    *MEASURED,
    moved("measurement", "contract"),
    deal(),
    attached("document", "signed_contract"),
]
PRODUCED = [*CONTRACTED, moved("contract", "production"), ev.ProductionFinished(order_id=OID)]
DELIVERY_VISIT = visit("delivery")
SHIPPING = [*PRODUCED, moved("production", "shipment_prep"), DELIVERY_VISIT]
DELIVERED = [
    *SHIPPING,
    moved("shipment_prep", "delivery"),
    task_done("delivery", of=DELIVERY_VISIT),
]
INSTALLATION_VISIT = visit("installation")
INSTALLED = [
    *DELIVERED,
    moved("delivery", "installation"),
    INSTALLATION_VISIT,
    task_done("installation", of=INSTALLATION_VISIT),
    attached("photo", "installation"),
]

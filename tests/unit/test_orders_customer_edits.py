"""Customer edits are a command with an expected version (issue 10): the decider merges the
partial edit into the customer the order holds when the command runs, so two edits of
different fields both land, and a client's stale expected version is a conflict."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from contracts.events import orders as ev
from contracts.events.common import Address
from services.orders.adapters.memory_event_store import MemoryEventStore, MemoryOrderNumbers
from services.orders.adapters.pipeline_store import MemoryPipelineStore, MemoryUserDirectory
from services.orders.application.pipelines import Pipelines
from services.orders.application.ports import StoredEvent
from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders
from services.orders.domain.errors import VersionConflict
from services.orders.domain.model import UpdateCustomer
from tests.unit.orders_scenario import CUSTOMER, MANAGER, OID, created, given


class LockstepReads(MemoryEventStore):
    """Holds the next `racers` stream reads until all of them have read: racing commands
    then decide on the same version, as two requests on two replicas may."""

    def __init__(self) -> None:
        super().__init__()
        self.held = 0
        self.barrier = asyncio.Barrier(1)

    def race(self, racers: int) -> None:
        self.held, self.barrier = racers, asyncio.Barrier(racers)

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        events = await super().read_stream(stream_id)
        if self.held:
            self.held -= 1
            await self.barrier.wait()
        return events


async def app_over(store: MemoryEventStore) -> tuple[Orders, uuid.UUID]:
    pipelines = Pipelines(MemoryPipelineStore())
    await pipelines.ensure_default()
    orders = Orders(OrderService(store, pipelines), MemoryOrderNumbers(), MemoryUserDirectory())
    made = await orders.create(title="Шкаф", customer=CUSTOMER, description=None, actor=MANAGER)
    assert made.order.id is not None
    return orders, made.order.id


def other_replica(orders: Orders) -> Orders:
    """Another process's service on the same store: commands of one process on one order
    queue (service.py), so only two replicas can decide on the same version at once."""
    core = OrderService(orders.core.store, orders.core.pipelines)
    return Orders(core, orders.numbers, orders.users)


# --- the decider merges --------------------------------------------------------------------


def test_an_edit_changes_only_the_fields_it_names() -> None:
    given(created()).when(UpdateCustomer(phone="+79990001122")).then(
        ev.CustomerUpdated(
            order_id=OID, customer=CUSTOMER.model_copy(update={"phone": "+79990001122"})
        )
    )


def test_a_blank_name_keeps_the_name() -> None:
    address = Address(text="Тверь")
    given(created()).when(UpdateCustomer(name="  ", address=address)).then(
        ev.CustomerUpdated(order_id=OID, customer=CUSTOMER.model_copy(update={"address": address}))
    )


def test_an_edit_that_changes_nothing_records_nothing() -> None:
    given(created()).when(UpdateCustomer(name=CUSTOMER.name)).then()


# --- concurrency ---------------------------------------------------------------------------


async def test_two_racing_edits_of_different_fields_both_land() -> None:
    store = LockstepReads()
    orders, oid = await app_over(store)
    store.race(2)  # both decide on version 1; the loser is re-decided on fresh state

    await asyncio.gather(
        orders.update_customer(oid, MANAGER, name="Петров"),
        other_replica(orders).update_customer(oid, MANAGER, phone="+79990001122"),
    )

    order = await orders.core.load(oid)
    assert order.customer is not None
    assert (order.customer.name, order.customer.phone) == ("Петров", "+79990001122")
    assert order.customer.address == CUSTOMER.address
    assert order.version == 3  # created + two edits, neither lost


async def test_racing_edits_that_both_sent_the_version_they_saw_let_one_win() -> None:
    store = LockstepReads()
    orders, oid = await app_over(store)
    store.race(2)

    results = await asyncio.gather(
        orders.update_customer(oid, MANAGER, name="Петров", expected=1),
        other_replica(orders).update_customer(oid, MANAGER, phone="+79990001122", expected=1),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, VersionConflict)]
    assert len(refused) == 1, results  # never retried silently: the client decided on v1
    assert (await orders.core.load(oid)).version == 2


@pytest.mark.parametrize("stale", [0, 2])
async def test_a_stale_expected_version_refuses_the_edit(stale: int) -> None:
    orders, oid = await app_over(MemoryEventStore())
    with pytest.raises(VersionConflict) as refused:
        await orders.update_customer(oid, MANAGER, name="Петров", expected=stale)
    assert refused.value.code == "version_conflict"
    assert refused.value.extra["version"] == 1
    order = await orders.core.load(oid)
    assert order.customer == CUSTOMER


async def test_the_current_expected_version_lets_the_edit_through() -> None:
    orders, oid = await app_over(MemoryEventStore())
    outcome = await orders.update_customer(oid, MANAGER, name="Петров", expected=1)
    assert outcome.order.customer is not None
    assert outcome.order.customer.name == "Петров"
    assert outcome.order.version == 2

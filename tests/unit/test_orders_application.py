"""Command execution over the in-memory adapters (which pass the same contract suite as the
PostgreSQL ones): a client's expected version is checked for every command, first."""

from __future__ import annotations

import uuid

import pytest

from contracts.envelope import Actor
from services.orders.adapters.memory_event_store import MemoryEventStore, MemoryOrderNumbers
from services.orders.adapters.pipeline_store import MemoryPipelineStore, MemoryUserDirectory
from services.orders.application.pipelines import Pipelines
from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders
from services.orders.domain.errors import VersionConflict
from tests.unit.orders_scenario import CUSTOMER, MANAGER


async def orders() -> Orders:
    pipelines = Pipelines(MemoryPipelineStore())
    await pipelines.ensure_default()
    return Orders(
        OrderService(MemoryEventStore(), pipelines), MemoryOrderNumbers(), MemoryUserDirectory()
    )


async def new_order(app: Orders, actor: Actor = MANAGER) -> uuid.UUID:
    created = await app.create(title="Шкаф", customer=CUSTOMER, description=None, actor=actor)
    assert created.order.id is not None
    return created.order.id


@pytest.mark.parametrize("stale", [0, 2, 99])
async def test_a_stale_expected_version_is_a_conflict_checked_before_the_gate(
    stale: int,
) -> None:
    app = await orders()
    oid = await new_order(app)
    with pytest.raises(VersionConflict) as info:
        await app.move(oid, "measurement", MANAGER, None, stale)  # the gate is unmet, too
    assert info.value.code == "version_conflict"
    assert info.value.extra["version"] == 1
    assert (await app.core.load(oid)).version == 1  # nothing half-applied


async def test_the_current_expected_version_lets_the_command_through() -> None:
    app = await orders()
    oid = await new_order(app)
    outcome = await app.move(oid, "cancelled", MANAGER, "клиент отказался", 1)
    assert outcome.order.stage == "cancelled"
    assert outcome.order.version == 2

"""Contention on one order (issue 17, step 9), over the in-memory store: a command without an
expected version never fails because another landed first; a stale expected version is still
a 409 at once. The same rules against PostgreSQL: tests/integration/test_orders_contention.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest

from contracts.envelope import Envelope
from services.orders.adapters.memory_event_store import MemoryEventStore, MemoryOrderNumbers
from services.orders.adapters.pipeline_store import MemoryPipelineStore, MemoryUserDirectory
from services.orders.application.one_at_a_time import KeyedLocks
from services.orders.application.pipelines import Pipelines
from services.orders.application.ports import (
    AppendResult,
    IdempotencyRecord,
    WrongExpectedVersion,
)
from services.orders.application.service import RETRY_FOR, OrderService
from services.orders.application.usecases import Orders
from services.orders.domain.errors import VersionConflict
from tests.unit.orders_scenario import CUSTOMER, MANAGER


class CountingStore(MemoryEventStore):
    """Counts appends and the ones refused for a stale version; `rival` appends a comment of
    another replica just before each of the next `rivals` appends, so that append loses."""

    def __init__(self) -> None:
        super().__init__()
        self.appends = 0
        self.refused = 0
        self.rivals = 0

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        self.appends += 1
        if self.rivals and expected_version is not None and expected_version > 0:
            self.rivals -= 1
            rival = events[0].model_copy(update={"event_id": uuid.uuid4()})
            await super().append(stream_id, [rival], None)
        try:
            return await super().append(stream_id, events, expected_version, idempotency)
        except WrongExpectedVersion:
            self.refused += 1
            raise


async def service(store: MemoryEventStore, retry_for: float = RETRY_FOR) -> Orders:
    pipelines = Pipelines(MemoryPipelineStore())
    await pipelines.ensure_default()
    core = OrderService(store, pipelines, retry_for=retry_for)
    return Orders(core, MemoryOrderNumbers(), MemoryUserDirectory())


async def new_order(app: Orders) -> uuid.UUID:
    made = await app.create(title="Шкаф", customer=CUSTOMER, description=None, actor=MANAGER)
    assert made.order.id is not None
    return made.order.id


def comments(events: list[Envelope]) -> list[str]:
    return [e.data["text"] for e in events if e.type == "orders.CommentPosted"]


async def test_commands_on_one_order_in_one_process_queue_instead_of_racing() -> None:
    store = CountingStore()
    app = await service(store)
    oid = await new_order(app)

    async with asyncio.timeout(10):
        await asyncio.gather(*(app.comment(oid, MANAGER, f"№{i}") for i in range(16)))

    assert store.refused == 0  # no append ever lost a race: nothing had to be re-decided
    stream = [s.envelope for s in await store.read_stream(f"order-{oid}")]
    assert sorted(comments(stream)) == sorted(f"№{i}" for i in range(16))
    assert [e.stream_version for e in stream] == list(range(1, 18))
    assert len(app.core.orders_in_hand) == 0  # no lock left behind


async def test_a_command_that_lost_to_another_replica_is_decided_again() -> None:
    store = CountingStore()
    app = await service(store)
    oid = await new_order(app)
    store.rivals = 7  # more losses in a row than the old bound of 5 attempts allowed

    outcome = await app.comment(oid, MANAGER, "наш")

    assert store.refused == 7
    assert comments(outcome.appended) == ["наш"]
    assert outcome.order.version == 1 + 7 + 1


async def test_losing_for_longer_than_retry_for_is_a_busy_409() -> None:
    store = CountingStore()
    app = await service(store, retry_for=0.05)
    oid = await new_order(app)
    store.rivals = 10_000

    with pytest.raises(VersionConflict, match="too busy"):
        await app.comment(oid, MANAGER, "наш")
    assert store.refused >= 2  # it did retry, within the time given


async def test_a_stale_expected_version_is_a_409_at_once_never_retried() -> None:
    store = CountingStore()
    app = await service(store)
    oid = await new_order(app)
    store.rivals = 1  # another replica appends between our check and our append

    with pytest.raises(VersionConflict, match="changed meanwhile"):
        await app.assign_manager(oid, MANAGER, str(uuid.uuid4()), expected=1)
    assert store.appends == 2  # created, then this one try
    stream = [s.envelope for s in await store.read_stream(f"order-{oid}")]
    assert len(stream) == 2  # created, and the rival's event; ours was refused


async def test_different_orders_do_not_wait_for_each_other() -> None:
    locks = KeyedLocks()
    inside = asyncio.Event()

    async def hold_a() -> None:
        async with locks.hold("a"):
            inside.set()
            await asyncio.sleep(3600)

    holder = asyncio.create_task(hold_a())
    await inside.wait()
    async with asyncio.timeout(1), locks.hold("b"):  # "a" is taken; "b" is not
        assert len(locks) == 2
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert len(locks) == 0


async def test_a_waiter_cancelled_in_the_queue_leaves_nothing_behind() -> None:
    locks = KeyedLocks()
    order: list[int] = []

    async def take(n: int) -> None:
        async with locks.hold("x"):
            order.append(n)
            await asyncio.sleep(0.01)

    first = asyncio.create_task(take(1))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(take(2))
    last = asyncio.create_task(take(3))
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.gather(first, last, return_exceptions=True)
    assert order == [1, 3]  # first come, first served; the cancelled one never ran
    assert len(locks) == 0

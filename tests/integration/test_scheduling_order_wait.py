"""A command naming an order scheduling has not heard of yet waits for it, within a bound.

The harness applies OrderCreated through the consumer's handler, as the consumer does after
Kafka; the tests start the command first, as a client that books right after creating the
order does when the event is still on its way.
"""

from __future__ import annotations

import asyncio
import uuid

from services.scheduling.adapters.order_arrivals import PostgresOrderArrivals
from tests.conftest import Infra
from tests.integration.helpers import eventually
from tests.integration.test_scheduling_support import (
    MANAGER_HEADERS,
    Harness,
    at,
    monday,
    scheduling,
)

# Far longer than any test here waits for an answer: a command that answers at all has been
# woken by the order's arrival, not released by the bound or the fallback poll.
LONG = 120.0


def arrivals(svc: Harness) -> PostgresOrderArrivals:
    found = svc.app.state.arrivals
    assert isinstance(found, PostgresOrderArrivals)
    return found


async def waiting(svc: Harness, count: int) -> None:
    """Until `count` commands are waiting for an order (and so have not been refused)."""

    async def check() -> bool:
        return arrivals(svc).waiting == count

    await eventually(check)


async def test_commands_on_an_order_not_yet_known_go_on_when_it_arrives(
    infra: Infra, database_url: str
) -> None:
    async with scheduling(
        infra, database_url, unknown_order_wait_s=LONG, unknown_order_poll_s=LONG
    ) as svc:
        measurer = await svc.crew("measurer")
        order = uuid.uuid4()
        booking = asyncio.create_task(svc.book(order, "measurement", measurer, at(monday(), 10)))
        task = {"title": "Позвонить клиенту", "order_id": str(order), "assignee_role": "manager"}
        creating = asyncio.create_task(
            svc.client.post("/tasks", json=task, headers=MANAGER_HEADERS)
        )
        await waiting(svc, 2)
        assert not booking.done()
        assert not creating.done()

        await svc.order(order_id=order)

        booked, created = await asyncio.wait_for(asyncio.gather(booking, creating), LONG / 4)
        assert booked.status_code == 201, booked.text
        assert created.status_code == 201, created.text
        assert arrivals(svc).waiting == 0
        visits = await svc.pool.fetch("SELECT order_id FROM visits")
        assert [v["order_id"] for v in visits] == [order]


async def test_a_missed_notification_is_made_up_by_the_poll(
    infra: Infra, database_url: str
) -> None:
    async with scheduling(
        infra, database_url, unknown_order_wait_s=LONG, unknown_order_poll_s=0.2
    ) as svc:
        measurer = await svc.crew("measurer")
        # As if the listening connection were down when the order arrived: no notification.
        await svc.pool.execute("ALTER TABLE known_orders DISABLE TRIGGER known_order_arrived")
        order = uuid.uuid4()
        booking = asyncio.create_task(svc.book(order, "measurement", measurer, at(monday(), 10)))
        await waiting(svc, 1)

        await svc.order(order_id=order)

        booked = await asyncio.wait_for(booking, LONG / 4)
        assert booked.status_code == 201, booked.text


async def test_an_order_that_never_arrives_is_unknown_after_the_bound(svc: Harness) -> None:
    # The harness's bound is short (test_scheduling_support.settings_for).
    measurer = await svc.crew("measurer")
    never = uuid.uuid4()
    booked = await svc.book(never, "measurement", measurer, at(monday(), 10))
    assert booked.status_code == 404, booked.text
    assert booked.json()["code"] == "unknown_order"
    task = {"title": "Позвонить клиенту", "order_id": str(never), "assignee_role": "manager"}
    created = await svc.client.post("/tasks", json=task, headers=MANAGER_HEADERS)
    assert created.status_code == 404, created.text
    assert created.json()["code"] == "unknown_order"
    assert arrivals(svc).waiting == 0
    assert await svc.pool.fetchval("SELECT count(*) FROM visits") == 0
    assert await svc.pool.fetchval("SELECT count(*) FROM tasks") == 0
    assert await svc.outbox("scheduling.TaskCreated") == []

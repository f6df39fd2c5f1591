"""A command naming an order scheduling has not heard of yet, over the in-memory port: it
waits for the order, within a bound (the PostgreSQL adapter: test_scheduling_order_wait.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from plumbing.errors import NotFound
from services.scheduling.adapters.order_arrivals import MemoryOrderArrivals
from services.scheduling.application.known_orders import KnownOrders

# A bound no test here reaches: a command that returns was woken by the order's arrival.
LONG = 120.0


async def test_a_command_goes_on_when_the_order_arrives() -> None:
    arrivals = MemoryOrderArrivals()
    order = uuid.uuid4()
    command = asyncio.create_task(KnownOrders(arrivals, LONG).require(order))
    await asyncio.sleep(0)  # the command is now waiting
    assert not command.done()
    arrivals.arrive(order)
    await asyncio.wait_for(command, LONG / 4)


async def test_a_known_order_goes_through_at_once() -> None:
    order = uuid.uuid4()
    await asyncio.wait_for(KnownOrders(MemoryOrderArrivals([order]), LONG).require(order), 1)


async def test_an_order_that_never_arrives_is_unknown_after_the_bound() -> None:
    with pytest.raises(NotFound) as refused:
        await KnownOrders(MemoryOrderArrivals(), 0.01).require(uuid.uuid4())
    assert refused.value.code == "unknown_order"

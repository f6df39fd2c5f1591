"""Commands that name an order scheduling may not have heard of yet.

Scheduling learns of an order from `orders.OrderCreated`, a moment after the orders service
has answered the order's creator. A manager (or a script) that creates an order and books a
visit at once would otherwise get a 404 for an order that exists: the system's own lag, shown
to its user. So a command naming an unknown order waits for it, briefly and with a bound, and
proceeds as soon as it arrives; an order that never arrives is still a 404 `unknown_order`.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from plumbing.errors import NotFound


class OrderArrivals(Protocol):
    async def wait_known(self, order_id: UUID, timeout_s: float) -> bool:
        """True as soon as scheduling knows the order (at once if it already does); False if
        it still does not after `timeout_s`."""
        ...


class KnownOrders:
    def __init__(self, arrivals: OrderArrivals, within_s: float) -> None:
        self.arrivals = arrivals
        self.within_s = within_s

    async def require(self, order_id: UUID) -> None:
        """Return once the order is known, or raise 404 `unknown_order` after the bound.

        Call it before taking a connection for the command's transaction, never inside one:
        the consumer that inserts the awaited order takes its connections from the same pool,
        so commands waiting while holding connections could starve it of the very insert they
        wait for. Known orders are never deleted, so the order is still known in the
        transaction that follows.
        """
        if not await self.arrivals.wait_known(order_id, self.within_s):
            raise NotFound(f"order {order_id} not found", code="unknown_order")

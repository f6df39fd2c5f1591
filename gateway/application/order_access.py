"""Access to many items' orders for one caller: require_order_access, each order asked once.

Inbox items and realtime pushes name an order; each must pass the same rule as every
per-order read before it reaches the caller (issue 11: notifications leaked orders to people
who get 404 for them). An inbox page may hold 200 items about a handful of orders, so the
answer per order is kept for the life of this object: one request, or one poll of a stream,
never longer, since access changes (a visit reassigned, an order leaving production's view).
"""

from __future__ import annotations

from uuid import UUID

from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from plumbing.errors import NotFound


class OrderAccess:
    def __init__(self, upstreams: Upstreams, caller: Caller) -> None:
        self.upstreams = upstreams
        self.caller = caller
        self._known: dict[str, bool] = {}

    async def allows(self, order_id: object) -> bool:
        """May the caller see this order now? An item about no order is the caller's own
        (a reminder without an order, a system message): allowed. Raises the upstream's
        DomainError (503) when the access read model cannot be asked: the caller decides
        whether to fail or retry, never to show the item unchecked."""
        if order_id is None:
            return True
        key = str(order_id)
        if key not in self._known:
            try:
                parsed = UUID(key)
            except ValueError:
                return False  # not an order id we could check: fail closed
            try:
                await require_order_access(self.upstreams, self.caller, parsed)
                self._known[key] = True
            except NotFound:
                self._known[key] = False
        return self._known[key]

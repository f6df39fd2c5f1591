"""May this user see this order? Asked of the access read model kept by projections.

Every per-order endpoint of the gateway goes through `require_order_access`, so the rule
lives in one place: managers, directors and admins see all orders; production sees orders in
`production` and later; field roles see orders where a visit or task was assigned to them.
Anything else is a 404, indistinguishable from an order that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from gateway.adapters.upstream import Caller, Upstreams
from gateway.domain.visibility import SEES_ALL_ORDERS, may_see_order
from plumbing.errors import NotFound


@dataclass(frozen=True)
class OrderAccess:
    stage: str
    assigned: bool


async def require_order_access(upstreams: Upstreams, caller: Caller, order_id: UUID) -> OrderAccess:
    reply = await upstreams.call(
        "projections", "GET", f"/access/{order_id}", caller, params={"user_id": caller.id}
    )
    found = reply.body
    if not found["exists"]:
        if caller.role in SEES_ALL_ORDERS:
            # The read side may lag a just-created order; managers get what they asked for.
            return OrderAccess(stage="", assigned=False)
        raise NotFound(f"order {order_id} not found")
    access = OrderAccess(stage=str(found["stage"]), assigned=bool(found["assigned"]))
    if not may_see_order(caller.role, access.stage, access.assigned):
        raise NotFound(f"order {order_id} not found")
    return access

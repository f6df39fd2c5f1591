"""May this user see this order? Asked of the access read model kept by projections.

Every per-order endpoint of the gateway goes through `require_order_access`, so the rule
lives in one place: managers and directors see all orders; production sees orders in
`production` and later of their own pipeline version (projections answers that, with the
versions it has heard of); field roles see orders where a visit or task was assigned to them;
admins see none (they administer). Anything else is a 404, indistinguishable from an order
that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from contracts.roles import SEES_ALL_ORDERS
from gateway.adapters.upstream import Caller, Upstreams
from gateway.domain.visibility import may_see_order, sees_orders
from plumbing.errors import NotFound


async def require_order_access(upstreams: Upstreams, caller: Caller, order_id: UUID) -> None:
    if not sees_orders(caller.role):
        # Nothing to look up either: no assignment grants such a role an order. Every inbox
        # item and live change about an order is refused here, without a call per item.
        raise NotFound(f"order {order_id} not found")
    if caller.role in SEES_ALL_ORDERS:
        # Nothing to look up: these roles see every order, and a 404 for an order that does
        # not exist comes from the service that owns it (the read side may also lag a
        # just-created order).
        return
    reply = await upstreams.call(
        "projections", "GET", f"/access/{order_id}", caller, params={"user_id": caller.id}
    )
    found = reply.body
    # `production_visible` is missing from a read side older than pipelines as data: then
    # production is refused (fails closed) until it answers.
    if not found["exists"] or not may_see_order(
        caller.role,
        production_visible=bool(found.get("production_visible")),
        assigned=bool(found["assigned"]),
    ):
        raise NotFound(f"order {order_id} not found")

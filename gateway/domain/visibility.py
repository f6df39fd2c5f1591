"""Who may see which orders, and which changes are pushed to whom.

DOMAIN.md: commercial fields (amount, prices, discounts, payment terms, prepayment) and
commercial documents (contract_draft, calculation, signed_contract) never reach field roles
or production, on any path. Which keys of an answer each audience sees is its model in
contracts/api, not a list of keys to remove here.
"""

from __future__ import annotations

from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES, COMMERCIAL_EVENT_TYPES
from contracts.roles import audience_of, may


def sees_commercial(role: str) -> bool:
    return may(role, "commercial.see")


def sees_orders(role: str) -> bool:
    """Whether the role sees any order at all (admin does not: it administers)."""
    return may(role, "orders.see")


def is_field_role(role: str) -> bool:
    return audience_of(role) == "field"


def may_see_order(role: str, *, production_visible: bool, assigned: bool) -> bool:
    """`production_visible`: the order's stage is production's under the order's own pipeline
    version (production and later, never cancelled), as the access read model answers it.
    A role that sees no orders sees none of them, whatever it is assigned: assignments
    outlive a role change (a measurer made admin keeps their visits in the read model)."""
    if not sees_orders(role):
        return False
    if may(role, "orders.see_all"):
        return True
    if audience_of(role) == "production":
        return production_visible
    if is_field_role(role):
        return assigned
    return False


# Realtime pushes (GET /api/v1/events/stream): a change whose very kind is commercial is not
# pushed to roles that may not see commercial data; the rest carry no field values at all.
CHAT_EVENT_TYPES = frozenset({"orders.CommentPosted"})


def may_see_change(role: str, event_type: str, purpose: str | None = None) -> bool:
    """`purpose` is the feed row's file purpose (projections' changes feed): a commercial
    document attached or detached is a change a role without commercial sight is not told
    of, or the push alone would say that such a document exists."""
    if sees_commercial(role):
        return True
    return event_type not in COMMERCIAL_EVENT_TYPES and purpose not in COMMERCIAL_DOCUMENT_PURPOSES

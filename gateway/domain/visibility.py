"""Who may see what. The single place that decides visibility and strips commercial fields.

DOMAIN.md: commercial fields (amount, prices, discounts, payment terms, prepayment) and
commercial documents (contract_draft, calculation, signed_contract) never reach field roles
or production, on any path.
"""

from __future__ import annotations

from typing import Any

from contracts.events.identity import FIELD_ROLES

COMMERCIAL_ROLES = frozenset({"manager", "director", "admin"})
SEES_ALL_ORDERS = frozenset({"manager", "director", "admin"})
COMMERCIAL_KEYS = frozenset(
    {
        "deal",
        "amount",
        "price",
        "prices",
        "discount",
        "discounts",
        "payment_terms",
        "prepayment",
    }
)
COMMERCIAL_DOCUMENT_PURPOSES = frozenset({"contract_draft", "calculation", "signed_contract"})
# Events that are commercial as a whole: left out of histories and realtime pushes.
COMMERCIAL_EVENT_TYPES = frozenset({"orders.DealTermsRecorded"})
PRODUCTION_STAGES = frozenset(
    {"production", "shipment_prep", "delivery", "installation", "rework", "closed"}
)


def sees_commercial(role: str) -> bool:
    return role in COMMERCIAL_ROLES


def is_field_role(role: str) -> bool:
    return role in FIELD_ROLES


def strip_commercial(value: Any, role: str) -> Any:
    """Remove commercial keys (at any depth) and commercial documents for roles that may not
    see them. Keys are removed, not nulled (API.md: the key is absent)."""
    if sees_commercial(role):
        return value
    return _strip(value)


def _is_commercial_item(value: dict[str, Any]) -> bool:
    """A commercial document, or a history entry about one or about the deal terms (its
    summary names the file and purpose, so removing the `data` keys would not be enough)."""
    data = value.get("data")
    return (
        value.get("purpose") in COMMERCIAL_DOCUMENT_PURPOSES
        or value.get("type") in COMMERCIAL_EVENT_TYPES
        or (isinstance(data, dict) and data.get("purpose") in COMMERCIAL_DOCUMENT_PURPOSES)
    )


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        if _is_commercial_item(value):
            return None
        out = {}
        for key, item in value.items():
            if key in COMMERCIAL_KEYS:
                continue
            stripped = _strip(item)
            if stripped is None and isinstance(item, dict):
                continue
            out[key] = stripped
        return out
    if isinstance(value, list):
        items = [_strip(v) for v in value]
        return [
            i for i, v in zip(items, value, strict=True) if not (i is None and isinstance(v, dict))
        ]
    return value


def may_see_order(role: str, stage: str, assigned: bool) -> bool:
    if role in SEES_ALL_ORDERS:
        return True
    if role == "production":
        return stage in PRODUCTION_STAGES
    if is_field_role(role):
        return assigned
    return False


# Realtime pushes (GET /api/v1/events/stream): a change whose very kind is commercial is not
# pushed to roles that may not see commercial data; the rest carry no field values at all.
CHAT_EVENT_TYPES = frozenset({"orders.CommentPosted"})


def may_see_change(role: str, event_type: str) -> bool:
    return sees_commercial(role) or event_type not in COMMERCIAL_EVENT_TYPES

"""Who may see what. The single place that decides visibility and strips commercial fields.

DOMAIN.md: commercial fields (amount, prices, discounts, payment terms, prepayment) and
commercial documents (contract_draft, calculation, signed_contract) never reach field roles
or production, on any path.
"""

from __future__ import annotations

from typing import Any

from contracts.roles import audience_of, may

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


# Gate conditions (DOMAIN.md codes). A role that may not see commercial facts is shown only
# the conditions whose truth depends on nothing but facts it can see: a condition about the
# deal or a contract document would reveal them, and so would "any document attached" (a
# commercial document alone meets it, so its absence from the list tells that one exists).
# Anything else, including a code a director's pipeline adds, stays hidden (fails closed).
VISIBLE_GATE_CODES = frozenset(
    {
        "customer_incomplete",
        "measurement_not_done",
        "measurement_results_missing",
        "production_not_finished",
        "delivery_not_booked",
        "delivery_not_done",
        "installation_not_done",
        "installation_photos_missing",
        "rework_not_done",
        "rework_photos_missing",
    }
)
# Condition kinds (services/orders/domain/gates.py) over facts every role that sees the order
# sees: the customer, visits, tasks and their results, measurement media, production.
VISIBLE_CONDITION_KINDS = frozenset(
    {
        "customer_complete",
        "visit_booked",
        "visit_task_done",
        "measurement_results",
        "production_finished",
    }
)
AUTO_MOVE_REFUSED = "orders.AutoMoveRefused"
# Lists of gate conditions: a card's or a refusal's `unmet`, a pipeline stage's `gate`.
GATE_LIST_KEYS = frozenset({"unmet", "gate"})


def sees_commercial(role: str) -> bool:
    return may(role, "commercial.see")


def is_field_role(role: str) -> bool:
    return audience_of(role) == "field"


def strip_commercial(value: Any, role: str) -> Any:
    """Remove commercial keys (at any depth) and commercial documents for roles that may not
    see them. Keys are removed, not nulled (API.md: the key is absent)."""
    if sees_commercial(role):
        return value
    return _strip(value)


def gate_condition_visible(condition: dict[str, Any]) -> bool:
    """May a role without commercial sight be told this unmet condition? Judged by the
    condition's kind and parameters when the orders service gives them (a card), else by its
    code (an AutoMoveRefused event's list)."""
    kind = condition.get("kind")
    if kind is None:
        return condition.get("code") in VISIBLE_GATE_CODES
    if kind == "media_attached":
        params = condition.get("params") or {}
        purpose = params.get("purpose")
        if purpose is not None:
            return purpose not in COMMERCIAL_DOCUMENT_PURPOSES
        return params.get("kind") == "photo"  # no photo purpose is commercial
    return kind in VISIBLE_CONDITION_KINDS


def _is_commercial_item(value: dict[str, Any]) -> bool:
    """A commercial document, or a history entry about one or about the deal terms (its
    summary names the file and purpose, so removing the `data` keys would not be enough), or
    a robot's refused move that a hidden condition blocked (its summary lists the codes, and
    an entry trimmed to the visible ones would still say that something else blocks)."""
    data = value.get("data")
    if value.get("type") == AUTO_MOVE_REFUSED and isinstance(data, dict):
        unmet = data.get("unmet") or []
        return not all(isinstance(c, dict) and gate_condition_visible(c) for c in unmet)
    return (
        value.get("purpose") in COMMERCIAL_DOCUMENT_PURPOSES
        or value.get("type") in COMMERCIAL_EVENT_TYPES
        or (isinstance(data, dict) and data.get("purpose") in COMMERCIAL_DOCUMENT_PURPOSES)
    )


def _media_id(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    data = value.get("data")
    return value.get("media_id") or (data.get("media_id") if isinstance(data, dict) else None)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        if _is_commercial_item(value):
            return None
        out = {}
        for key, raw in value.items():
            if key in COMMERCIAL_KEYS:
                continue
            item = raw
            if key in GATE_LIST_KEYS and isinstance(raw, list):
                # A gate's unmet list names only what this role can see; when nothing is
                # left the list is empty, the same as for an open gate: no code, no hint.
                # A pipeline's gate lists (GET /pipeline) are filtered the same way.
                item = [c for c in raw if isinstance(c, dict) and gate_condition_visible(c)]
            stripped = _strip(item)
            if stripped is None and isinstance(item, dict):
                continue
            out[key] = stripped
        return out
    if isinstance(value, list):
        # A list that drops a commercial document drops everything else about that file too
        # (in a history: its MediaDetached entry, which alone would tell that a file went).
        hidden = {_media_id(v) for v in value if isinstance(v, dict) and _is_commercial_item(v)}
        hidden.discard(None)
        items = [None if _media_id(v) in hidden else _strip(v) for v in value]
        return [
            i for i, v in zip(items, value, strict=True) if not (i is None and isinstance(v, dict))
        ]
    return value


def board_for(board: dict[str, Any], role: str) -> dict[str, Any]:
    """The board as `role` may see it: each card's document count counts only the documents
    the role may see (the projection gives the count per purpose; a card without that
    breakdown shows no count at all)."""
    if sees_commercial(role):
        return board
    # Which orders production and field roles see was decided by projections (the board was
    # asked for their view: production_view, visible_to), each order by its own pipeline.
    for column in board["columns"]:
        for card in column["cards"]:
            purposes = card.pop("document_purposes", None)
            if isinstance(purposes, dict):
                card["documents"] = sum(
                    int(n) for p, n in purposes.items() if p not in COMMERCIAL_DOCUMENT_PURPOSES
                )
            else:
                card.pop("documents", None)
    stripped: dict[str, Any] = strip_commercial(board, role)
    return stripped


def may_see_order(role: str, *, production_visible: bool, assigned: bool) -> bool:
    """`production_visible`: the order's stage is production's under the order's own pipeline
    version (production and later, never cancelled), as the access read model answers it."""
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

"""Items a restricted audience (production, field) is not shown at all, judged by value, not
by key: commercial documents, and gate conditions whose mere presence tells of the deal or of
a commercial document. The restricted response models drop them with these validators.

DOMAIN.md: commercial documents are those with purpose contract_draft, calculation and
signed_contract; hidden means hidden on every path.
"""

from __future__ import annotations

from typing import Any

COMMERCIAL_DOCUMENT_PURPOSES = frozenset({"contract_draft", "calculation", "signed_contract"})
# Events that are commercial as a whole: left out of histories and realtime pushes.
COMMERCIAL_EVENT_TYPES = frozenset({"orders.DealTermsRecorded", "orders.OrderImported"})
AUTO_MOVE_REFUSED = "orders.AutoMoveRefused"

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
        # Why the photos there are do not count (issue 15, services/orders/domain/gates.py).
        *(
            f"{purpose}_photos_{why}"
            for purpose in ("installation", "rework")
            for why in (
                "unconfirmed",
                "rejected",
                "taken_before_booking",
                "by_someone_else",
                "not_from_visit",
            )
        ),
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
        "site_photos",  # photos of a visit: never commercial
    }
)


def gate_condition_visible(condition: Any) -> bool:
    """May a restricted audience be told of this condition? Judged by its kind and parameters
    when given (a card, a pipeline), else by its code (an AutoMoveRefused event's list)."""
    if not isinstance(condition, dict):
        return False
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


def is_commercial_media(item: Any) -> bool:
    return isinstance(item, dict) and item.get("purpose") in COMMERCIAL_DOCUMENT_PURPOSES


def only_visible_conditions(value: Any) -> Any:
    """For a BeforeValidator: a gate's list names only what the audience can see; when
    nothing is left it is empty, the same as an open gate's: no code, no hint."""
    return [c for c in value if gate_condition_visible(c)] if isinstance(value, list) else value


def without_commercial_media(value: Any) -> Any:
    """For a BeforeValidator: a list of documents or photos without commercial documents."""
    return [m for m in value if not is_commercial_media(m)] if isinstance(value, list) else value


def _hidden_entry(entry: Any) -> bool:
    """A history entry about the deal, or about a commercial document (its summary names the
    file and purpose, so dropping keys would not be enough), or a robot's refused move that a
    hidden condition blocked (its summary lists the codes; trimmed to the visible ones it
    would still say that something else blocks)."""
    if not isinstance(entry, dict):
        return True
    data = entry.get("data")
    data = data if isinstance(data, dict) else {}
    if entry.get("type") == AUTO_MOVE_REFUSED:
        return not all(gate_condition_visible(c) for c in data.get("unmet") or [])
    return entry.get("type") in COMMERCIAL_EVENT_TYPES or is_commercial_media(data)


def visible_history(value: Any) -> Any:
    """For a BeforeValidator: a history without what a restricted audience may not see. An
    entry about a hidden document takes every other entry about that file with it (its
    MediaDetached alone would tell that a file went)."""
    if not isinstance(value, list):
        return value
    hidden = {
        e["data"].get("media_id")
        for e in value
        if _hidden_entry(e) and isinstance(e, dict) and isinstance(e.get("data"), dict)
    }
    hidden.discard(None)
    return [
        e
        for e in value
        if not _hidden_entry(e) and (e.get("data") or {}).get("media_id") not in hidden
    ]

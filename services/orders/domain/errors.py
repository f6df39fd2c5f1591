"""Domain errors of the orders service, each with a stable code."""

from __future__ import annotations

from plumbing.errors import Conflict, Forbidden, Invalid
from services.orders.domain.pipeline import Condition


class OrderAlreadyExists(Conflict):
    code = "order_exists"


class InvalidOrder(Invalid):
    code = "invalid_input"


class UnknownStage(Invalid):
    code = "unknown_stage"


class VersionConflict(Conflict):
    code = "version_conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class ReasonRequired(Invalid):
    code = "reason_required"


class NotAllowed(Forbidden):
    code = "forbidden"


class WrongStage(Conflict):
    code = "wrong_stage"


class OrderClosed(Conflict):
    code = "order_closed"


class GateUnmet(Conflict):
    code = "gate_unmet"

    def __init__(self, stage: str, conditions: list[Condition]) -> None:
        self.conditions = conditions
        super().__init__(
            f"the order cannot leave {stage!r} yet: " + "; ".join(c.message_en for c in conditions),
            unmet=[
                {"code": c.code, "message": c.message_ru, "message_en": c.message_en}
                for c in conditions
            ],
        )

"""Domain errors of the orders service: a stable code, a human message and, for some, details
the client needs (`extra`, e.g. the unmet gate conditions).

They carry no HTTP status: the rules do not know they are served over HTTP. The orders
entrypoints map each kind to a status in one table (entrypoints/errors.py).
"""

from __future__ import annotations

from services.orders.domain.pipeline import Condition


class OrderError(Exception):
    code = "error"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class OrderNotFound(OrderError):
    code = "not_found"


class OrderAlreadyExists(OrderError):
    code = "order_exists"


class InvalidOrder(OrderError):
    code = "invalid_input"


class PromiseBeforeCreation(InvalidOrder):
    """A promised day before the day the order was created."""

    code = "promised_date_too_early"


class UnknownStage(OrderError):
    code = "unknown_stage"


class VersionConflict(OrderError):
    code = "version_conflict"


class TransitionNotAllowed(OrderError):
    code = "transition_not_allowed"


class ReasonRequired(OrderError):
    code = "reason_required"


class NotAllowed(OrderError):
    code = "forbidden"


class WrongStage(OrderError):
    code = "wrong_stage"


class OrderClosed(OrderError):
    code = "order_closed"


class IdempotencyKeyReused(OrderError):
    """The same Idempotency-Key came back with another request body."""

    code = "idempotency_key_reused"


class IdempotencyKeyBusy(OrderError):
    """The key is stored, yet its order cannot be read back (should not happen)."""

    code = "idempotency_conflict"


class GateUnmet(OrderError):
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


class BeforeCreation(OrderError):
    """A past view asked for a moment before the order's first event: the order exists, the
    moment is what is wrong (so a refusal of the input, not a 404), and the answer says when
    the order was created so a client can offer that moment instead."""

    code = "before_creation"


class MomentInFuture(OrderError):
    code = "moment_in_future"


class InvalidImport(InvalidOrder):
    """An import document no deal of which can be brought over as it is (issue 20)."""

    code = "invalid_import"


class ImportConflict(OrderError):
    """Another import, or an edit of an imported order, committed while this one ran."""

    code = "import_conflict"


class ImportNotFound(OrderNotFound):
    code = "not_found"

"""The one error type that crosses layers: a stable code, a human message, an HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, **extra: object
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid_input"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class TooLarge(DomainError):
    status = 413
    code = "too_large"

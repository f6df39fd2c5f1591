"""The correlation id of the current request or event, carried in a context variable."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)
HEADER = "X-Correlation-Id"


def get() -> str | None:
    return _current.get()


def get_or_new() -> str:
    value = _current.get()
    if value is None:
        value = str(uuid.uuid4())
        _current.set(value)
    return value


def set_current(value: str | None) -> None:
    _current.set(value)

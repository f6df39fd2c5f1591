"""The order as it was at a moment: the same fold as its current state (evolve), over only
the events recorded at or before that moment. Pure: the caller reads the stream and says
what "now" is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from services.orders.domain.errors import BeforeCreation, MomentInFuture
from services.orders.domain.evolve import evolve
from services.orders.domain.model import Order


def as_of(events: Iterable[tuple[BaseModel, datetime]], at: datetime, now: datetime) -> Order:
    """`events` are (event, recorded at) in stream order. A moment after `now` is refused:
    the future is not "as it was" and the answer would silently change as events arrive.
    One before the first event is refused with the creation time (`created_at`)."""
    if at > now:
        raise MomentInFuture(f"at: {at.isoformat()} is in the future")
    state = Order()
    created_at: datetime | None = None
    for event, recorded_at in events:
        if created_at is None:
            created_at = recorded_at
        # Stream order is recording order, so the first later event ends the fold.
        if recorded_at > at:
            break
        state = evolve(state, event, recorded_at)
    if not state.exists:
        assert created_at is not None  # the caller has found the order
        raise BeforeCreation(
            f"at: the order did not exist yet at {at.isoformat()}; "
            f"it was created at {created_at.isoformat()}",
            created_at=created_at.isoformat(),
        )
    return state

"""Turning scheduling's decisions into envelopes in its outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from plumbing import correlation
from plumbing.db import Conn
from plumbing.ordered_log import Outbox
from services.scheduling.adapters.streams import next_version

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def derived_id(cause_event_id: UUID, rule_id: str, action: str) -> UUID:
    """uuid5(cause event id, rule id + action): a redelivered cause yields the same id, and the
    outbox's unique event_id turns the second append into nothing."""
    return uuid.uuid5(cause_event_id, f"{rule_id}:{action}")


@dataclass(frozen=True)
class Pending:
    event: BaseModel
    stream_id: str
    actor: Actor
    cause: Envelope | None = None
    event_id: UUID | None = None


class Emitter:
    def __init__(self, outbox: Outbox, clock: Clock = system_clock) -> None:
        self.outbox = outbox
        self.clock = clock

    async def emit(self, conn: Conn, items: Sequence[Pending]) -> list[Envelope]:
        """Append within the caller's transaction; returns the envelopes as written."""
        now = self.clock()
        envelopes: list[Envelope] = []
        for item in items:
            name = registry.type_name(item.event)
            cause = item.cause
            envelopes.append(
                Envelope(
                    event_id=item.event_id or uuid.uuid4(),
                    type=name,
                    schema_version=registry.current_version(name),
                    stream_id=item.stream_id,
                    stream_version=await next_version(conn, item.stream_id),
                    occurred_at=now,
                    actor=item.actor,
                    correlation_id=cause.correlation_id if cause else correlation.get_or_new(),
                    causation_id=str(cause.event_id) if cause else None,
                    data=item.event.model_dump(mode="json"),
                )
            )
        await self.outbox.append(conn, envelopes)
        return envelopes

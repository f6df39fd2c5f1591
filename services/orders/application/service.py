"""Order commands: load the stream, decide, append with the expected version.

Concurrency rule (ARCHITECTURE): a client's stale expected_version is a 409, never retried;
a command without one is re-decided on fresh state a bounded number of times. Commands
triggered by events get deterministic event ids, so a redelivered trigger appends nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from plumbing import correlation
from services.orders.application.pipelines import Pipelines
from services.orders.application.ports import (
    DuplicateEvent,
    EventStore,
    IdempotencyRecord,
    WrongExpectedVersion,
)
from services.orders.domain.decide import decide
from services.orders.domain.errors import OrderNotFound, VersionConflict
from services.orders.domain.evolve import evolve
from services.orders.domain.model import Command, CreateOrder, Order

Clock = Callable[[], datetime]
MAX_RETRIES = 5


def system_clock() -> datetime:
    return datetime.now(UTC)


def stream_of(order_id: UUID) -> str:
    return f"order-{order_id}"


@dataclass(frozen=True)
class Cause:
    """The event that triggered a command (robot action or gate fact)."""

    event_id: UUID
    correlation_id: str


@dataclass(frozen=True)
class Outcome:
    order: Order
    appended: list[Envelope]


class OrderService:
    def __init__(self, store: EventStore, pipelines: Pipelines, clock: Clock = system_clock):
        self.store = store
        self.pipelines = pipelines
        self.clock = clock

    async def load(self, order_id: UUID) -> Order:
        state = Order()
        for stored in await self.store.read_stream(stream_of(order_id)):
            state = evolve(state, registry.decode(stored.envelope), stored.envelope.occurred_at)
        if not state.exists:
            raise OrderNotFound(f"order {order_id} not found")
        return state

    async def execute(
        self,
        order_id: UUID,
        command: Command,
        actor: Actor,
        *,
        expected_version: int | None = None,
        cause: Cause | None = None,
        idempotency: IdempotencyRecord | None = None,
    ) -> Outcome:
        """Decide on the current state and append. A client's `expected_version` is checked
        here, for every command, before anything is decided."""
        creating = isinstance(command, CreateOrder)
        for _ in range(MAX_RETRIES):
            state = Order() if creating else await self.load(order_id)
            if expected_version is not None and expected_version != state.version:
                raise VersionConflict(
                    f"the order is at version {state.version}, not {expected_version}",
                    version=state.version,
                )
            pipeline = await self.pipelines.get(state.pipeline_version)
            events = decide(command, state, pipeline)
            if not events:
                return Outcome(state, [])
            envelopes = self._envelopes(events, actor, cause)
            try:
                await self.store.append(
                    stream_of(order_id), envelopes, state.version, idempotency=idempotency
                )
            except WrongExpectedVersion:
                if expected_version is not None:
                    raise VersionConflict(
                        "the order changed meanwhile; reload it and try again"
                    ) from None
                continue  # someone else appended: decide again on fresh state
            except DuplicateEvent:
                return Outcome(await self.load(order_id), [])  # this cause was applied before
            for env in envelopes:
                state = evolve(state, registry.decode(env), env.occurred_at)
            return Outcome(state, envelopes)
        raise VersionConflict("the order is too busy right now; try again")

    def _envelopes(
        self, events: list[BaseModel], actor: Actor, cause: Cause | None
    ) -> list[Envelope]:
        now = self.clock()
        out = []
        for index, event in enumerate(events):
            name = registry.type_name(event)
            event_id = (
                uuid.uuid5(cause.event_id, f"orders:{index}:{name}") if cause else uuid.uuid4()
            )
            out.append(
                Envelope(
                    event_id=event_id,
                    type=name,
                    schema_version=registry.current_version(name),
                    stream_id="pending",  # stamped by the store
                    stream_version=1,  # stamped by the store
                    occurred_at=now,
                    actor=actor,
                    correlation_id=cause.correlation_id if cause else correlation.get_or_new(),
                    causation_id=str(cause.event_id) if cause else None,
                    data=event.model_dump(mode="json"),
                )
            )
        return out

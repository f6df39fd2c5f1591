"""Order commands: load the stream, decide, append with the expected version.

Concurrency rule (ARCHITECTURE, issue 17 step 9):
- A client's stale `expected_version` is a 409, never retried: the client decided on what it
  saw, and that is gone.
- A command without one (a comment, a fact from another service, an edit that merges) decides
  on whatever the order is now, so another command landing first must never fail it. Inside a
  process, commands on one order queue on a lock (one_at_a_time.py): a process never races
  itself. Another replica can still land first; then the command is re-decided on fresh state
  after a jittered, growing pause, until RETRY_FOR seconds have passed since it arrived
  (a 409 "too busy" after that is overload, not a race).
- Commands triggered by events get deterministic event ids, so a redelivered trigger appends
  nothing; a request's idempotency key is stored with its events, in the same transaction.

Why not a PostgreSQL advisory lock per stream held over load+decide+append instead: each
command waiting for it would hold a pooled connection while the holder needs more of them to
load and append (enough waiters exhaust the pool and nobody moves); it would be a second lock
taken around the store's global-order lock (imports hold that one while appending to many
streams); and the EventStoreDB adapter has no such thing. The in-process lock holds no
connection and already removes every race but the cross-replica one, which retries absorb.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from plumbing import correlation
from services.orders.application.one_at_a_time import KeyedLocks
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
# How long a command without an expected version keeps re-deciding after losing the race to
# another replica. Seconds, from the moment the command arrived.
RETRY_FOR = 5.0
# Pauses between those attempts: uniformly random up to a ceiling that doubles from the first
# to the last value ("full jitter"), so replicas that collided once do not collide again in step.
FIRST_PAUSE = 0.005
LAST_PAUSE = 0.2


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
    def __init__(
        self,
        store: EventStore,
        pipelines: Pipelines,
        clock: Clock = system_clock,
        *,
        retry_for: float = RETRY_FOR,
    ):
        self.store = store
        self.pipelines = pipelines
        self.clock = clock
        self.retry_for = retry_for
        # One per process (bootstrap builds one OrderService): HTTP and the fact consumer
        # share it, so they queue on the same order too.
        self.orders_in_hand = KeyedLocks()

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
        here, for every command, before anything is decided (module docstring: the rule)."""
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.retry_for
        async with self.orders_in_hand.hold(order_id):
            for attempt in itertools.count():
                outcome = await self._attempt(
                    order_id, command, actor, expected_version, cause, idempotency
                )
                if outcome is not None:
                    return outcome
                # Another replica appended first. Always at least one attempt, even when the
                # queue ate the time; retries only within it.
                pause = random.uniform(0, min(LAST_PAUSE, FIRST_PAUSE * 2**attempt))  # noqa: S311
                if loop.time() + pause > give_up_at:
                    break
                await asyncio.sleep(pause)
        raise VersionConflict("the order is too busy right now; try again")

    async def _attempt(
        self,
        order_id: UUID,
        command: Command,
        actor: Actor,
        expected_version: int | None,
        cause: Cause | None,
        idempotency: IdempotencyRecord | None,
    ) -> Outcome | None:
        """Load, decide, append once. None: someone appended meanwhile, decide again."""
        creating = isinstance(command, CreateOrder)
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
            return None
        except DuplicateEvent:
            return Outcome(await self.load(order_id), [])  # this cause was applied before
        for env in envelopes:
            state = evolve(state, registry.decode(env), env.occurred_at)
        return Outcome(state, envelopes)

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

"""Order commands: load the stream, decide, append with the expected version.

Concurrency rule (ARCHITECTURE): a client's stale expected_version is a 409, never retried;
a command without one is re-decided on fresh state a bounded number of times.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import registry
from plumbing import correlation
from plumbing.errors import Conflict, Invalid, NotFound
from services.orders.application.ports import (
    EventStore,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    OrderNumbers,
)
from services.orders.domain.decide import decide
from services.orders.domain.evolve import evolve
from services.orders.domain.model import CreateOrder, Order

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def stream_of(order_id: UUID) -> str:
    return f"order-{order_id}"


@dataclass(frozen=True)
class CreateResult:
    order: Order
    created: bool


class OrderService:
    def __init__(
        self, store: EventStore, numbers: OrderNumbers, clock: Clock = system_clock
    ) -> None:
        self.store = store
        self.numbers = numbers
        self.clock = clock

    async def load(self, order_id: UUID) -> Order:
        state = Order()
        for stored in await self.store.read_stream(stream_of(order_id)):
            event = registry.decode(stored.envelope)
            state = evolve(state, event, stored.envelope.occurred_at)
        if not state.exists:
            raise NotFound(f"order {order_id} not found")
        return state

    async def create(
        self,
        *,
        title: str,
        customer: Any,
        description: str | None,
        actor: Actor,
        idempotency_key: str | None = None,
        request_body: dict[str, Any] | None = None,
    ) -> CreateResult:
        record: IdempotencyRecord | None = None
        if idempotency_key is not None:
            # Keys are scoped per caller, as payment APIs do: two users may pick the same key.
            scoped = f"{actor.id}:{idempotency_key}"
            digest = hashlib.sha256(
                json.dumps(request_body, sort_keys=True, default=str).encode()
            ).hexdigest()
            replay = await self._replay(scoped, digest)
            if replay is not None:
                return replay
            order_id = uuid.uuid4()
            record = IdempotencyRecord(scoped, digest, stream_of(order_id))
        else:
            order_id = uuid.uuid4()
        command = CreateOrder(
            order_id=order_id,
            number=await self.numbers.next(),
            title=title,
            customer=customer,
            description=description,
            actor=actor,
            at=self.clock(),
        )
        events = decide(command, Order())
        try:
            await self.store.append(
                stream_of(order_id),
                self._envelopes(events, actor),
                expected_version=0,
                idempotency=record,
            )
        except IdempotencyKeyTaken:
            # A concurrent request with the same key won the race: answer with its order.
            assert record is not None
            replay = await self._replay(record.key, record.request_hash)
            if replay is None:  # pragma: no cover - the key row is committed before we see it
                raise Conflict("idempotency key in use", code="idempotency_conflict") from None
            return replay
        return CreateResult(await self.load(order_id), created=True)

    async def _replay(self, key: str, digest: str) -> CreateResult | None:
        found = await self.store.find_idempotency(key)
        if found is None:
            return None
        if found.request_hash != digest:
            raise Invalid(
                "Idempotency-Key was already used with a different request body",
                code="idempotency_key_reused",
            )
        order_id = UUID(found.stream_id.removeprefix("order-"))
        return CreateResult(await self.load(order_id), created=False)

    def _envelopes(self, events: list[BaseModel], actor: Actor) -> list[Envelope]:
        now = self.clock()
        return [
            Envelope(
                event_id=uuid.uuid4(),
                type=registry.type_name(e),
                schema_version=registry.current_version(registry.type_name(e)),
                stream_id="pending",  # stamped by the store
                stream_version=1,  # stamped by the store
                occurred_at=now,
                actor=actor,
                correlation_id=correlation.get_or_new(),
                causation_id=None,
                data=e.model_dump(mode="json"),
            )
            for e in events
        ]

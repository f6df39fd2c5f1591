"""What people ask of an order, as the HTTP layer calls it."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.envelope import Actor
from contracts.events.common import Address, Customer, GeoPoint
from contracts.mentions import mentioned_usernames
from services.orders.application.ports import (
    IdempotencyKeyTaken,
    IdempotencyRecord,
    OrderNumbers,
    UserDirectory,
)
from services.orders.application.service import OrderService, Outcome, stream_of
from services.orders.domain.errors import IdempotencyKeyBusy, IdempotencyKeyReused
from services.orders.domain.model import (
    AssignManager,
    CreateOrder,
    FinishProduction,
    MoveToStage,
    Order,
    PinSite,
    PostComment,
    RecordDealTerms,
    RecordSmsConsent,
    SetPromisedDate,
    UpdateCustomer,
)


@dataclass(frozen=True)
class Created:
    order: Order
    created: bool


class Orders:
    def __init__(self, core: OrderService, numbers: OrderNumbers, users: UserDirectory) -> None:
        self.core = core
        self.numbers = numbers
        self.users = users

    async def create(
        self,
        *,
        title: str,
        customer: Customer,
        description: str | None,
        actor: Actor,
        promised_date: date | None = None,
        idempotency_key: str | None = None,
        request_body: dict[str, Any] | None = None,
    ) -> Created:
        record: IdempotencyRecord | None = None
        order_id = uuid.uuid4()
        if idempotency_key is not None:
            # Keys are scoped per caller, as payment APIs do: two users may pick the same key.
            scoped = f"{actor.id}:{idempotency_key}"
            digest = hashlib.sha256(
                json.dumps(request_body, sort_keys=True, default=str).encode()
            ).hexdigest()
            replay = await self._replay(scoped, digest)
            if replay is not None:
                return replay
            record = IdempotencyRecord(scoped, digest, stream_of(order_id))
        pipeline = await self.core.pipelines.current()
        command = CreateOrder(
            order_id=order_id,
            number=await self.numbers.next(),
            title=title,
            customer=customer,
            description=description,
            actor=actor,
            at=self.core.clock(),
            pipeline_version=pipeline.version,
            promised_date=promised_date,
        )
        try:
            outcome = await self.core.execute(
                order_id, command, actor, expected_version=0, idempotency=record
            )
        except IdempotencyKeyTaken:
            # A concurrent request with the same key won the race: answer with its order.
            assert record is not None
            replay = await self._replay(record.key, record.request_hash)
            if replay is None:  # pragma: no cover - the key row is committed before we see it
                raise IdempotencyKeyBusy("idempotency key in use") from None
            return replay
        return Created(outcome.order, created=True)

    async def _replay(self, key: str, digest: str) -> Created | None:
        found = await self.core.store.find_idempotency(key)
        if found is None:
            return None
        if found.request_hash != digest:
            raise IdempotencyKeyReused(
                "Idempotency-Key was already used with a different request body"
            )
        order_id = UUID(found.stream_id.removeprefix("order-"))
        return Created(await self.core.load(order_id), created=False)

    async def move(
        self, order_id: UUID, to: str, actor: Actor, reason: str | None, expected: int | None
    ) -> Outcome:
        command = MoveToStage(to=to, actor=actor, reason=reason)
        # A stale expected version is a 409 (checked first, then again by the append): never
        # retried on fresh state, since the client decided on what it saw.
        return await self.core.execute(order_id, command, actor, expected_version=expected)

    async def record_deal(
        self,
        order_id: UUID,
        actor: Actor,
        amount: Decimal,
        decor: str,
        finishing: str,
        extra_work: str,
        payment_terms: str,
        expected: int | None = None,
    ) -> Outcome:
        command = RecordDealTerms(amount, decor, finishing, extra_work, payment_terms)
        return await self.core.execute(order_id, command, actor, expected_version=expected)

    async def finish_production(self, order_id: UUID, actor: Actor) -> Outcome:
        return await self.core.execute(order_id, FinishProduction(), actor)

    async def pin_site(self, order_id: UUID, actor: Actor, lat: float, lon: float) -> Outcome:
        return await self.core.execute(order_id, PinSite(GeoPoint(lat=lat, lon=lon)), actor)

    async def update_customer(
        self,
        order_id: UUID,
        actor: Actor,
        *,
        name: str | None = None,
        phone: str | None = None,
        address: Address | None = None,
        expected: int | None = None,
    ) -> Outcome:
        """Change the fields given, merged by the decider into the customer as it is then.
        With `expected`, a stale version is a 409; without, a race is re-decided on fresh
        state, so an edit of another field made meanwhile is kept, not overwritten."""
        command = UpdateCustomer(name=name, phone=phone, address=address)
        return await self.core.execute(order_id, command, actor, expected_version=expected)

    async def promise(
        self, order_id: UUID, actor: Actor, promised: date | None, expected: int | None = None
    ) -> Outcome:
        """Set, change or clear the day promised to the customer. Without `expected` a race
        is re-decided on fresh state: the last promise given wins, as it would on the phone."""
        return await self.core.execute(
            order_id, SetPromisedDate(promised), actor, expected_version=expected
        )

    async def record_sms_consent(
        self, order_id: UUID, actor: Actor, consent: bool, expected: int | None = None
    ) -> Outcome:
        """The customer's answer about confirmation SMS, recorded as heard by the caller."""
        by = _user_id(actor)
        return await self.core.execute(
            order_id,
            RecordSmsConsent(consent, by, actor.username),
            actor,
            expected_version=expected,
        )

    async def assign_manager(
        self, order_id: UUID, actor: Actor, manager_id: str, expected: int | None = None
    ) -> Outcome:
        """With `expected`, a reassignment made on a stale card is a 409 (the office sees who
        took the order meanwhile) rather than silently overwriting it."""
        return await self.core.execute(
            order_id, AssignManager(manager_id), actor, expected_version=expected
        )

    async def comment(
        self, order_id: UUID, actor: Actor, text: str, notify: Collection[str] | None = None
    ) -> Outcome:
        """Post a comment; its mentions are the names in the text that the gateway cleared
        in `notify` (it checked each person's access to this order). Without `notify`
        nobody is mentioned: a mention carries the text, the order's id and number, which
        must never reach someone who may not see the order (issue 11)."""
        allowed = {n.lower() for n in notify or ()}
        names = [n for n in mentioned_usernames(text) if n in allowed]
        found = await self.users.by_usernames(names) if names else {}
        mentions = tuple((found[n], n) for n in names if n in found)
        command = PostComment(comment_id=uuid.uuid4(), text=text, mentions=mentions)
        return await self.core.execute(order_id, command, actor)


def _user_id(actor: Actor) -> UUID | None:
    """The person behind a command, when it is one (a robot or the system has no user id)."""
    try:
        return UUID(actor.id) if actor.kind == "user" and actor.id else None
    except ValueError:
        return None

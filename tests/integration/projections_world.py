"""A small world of facts for the projections' tests: envelopes with explicit times and
stream versions, the consumer's claim-then-apply path, checksums of the read models."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import identity, orders, registry, scheduling
from contracts.events.common import Address, Customer
from contracts.pipeline import PipelineDefinition, StageDefinition
from plumbing.db import Conn
from plumbing.inbox import claim
from services.projections.adapters.generations import checksum
from services.projections.adapters.tables import CHECKSUM_QUERIES
from services.projections.application.apply import GROUP, apply_event

ACTOR = Actor(kind="user", id=str(uuid.uuid4()), username="manager", role="manager")
SECRET_AMOUNT = Decimal("987654.32")
SECRET_TERMS = "предоплата 70% банковским переводом"


def envelope(event: BaseModel, stream: str, version: int, at: datetime) -> Envelope:
    name = registry.type_name(event)
    return Envelope(
        event_id=uuid.uuid4(),
        type=name,
        schema_version=registry.current_version(name),
        stream_id=stream,
        stream_version=version,
        occurred_at=at,
        actor=ACTOR,
        correlation_id=str(uuid.uuid4()),
        data=event.model_dump(mode="json"),
    )


@dataclass
class Order:
    """One order's own stream: events get consecutive versions."""

    id: uuid.UUID
    number: int
    log: list[Envelope] = field(default_factory=list)

    def add(self, event: BaseModel, at: datetime) -> Envelope:
        env = envelope(event, f"order-{self.id}", len(self.log) + 1, at)
        self.log.append(env)
        return env

    def created(
        self,
        at: datetime,
        manager: uuid.UUID | None = None,
        name: str = "Иванов",
        pipeline_version: int = 1,
    ) -> Envelope:
        customer = Customer(
            name=name, phone="+79151234567", address=Address(text="Москва, Тверская 1")
        )
        return self.add(
            orders.OrderCreated(
                order_id=self.id,
                number=self.number,
                title="Шкаф-купе",
                customer=customer,
                manager_id=str(manager) if manager else None,
                pipeline_version=pipeline_version,
            ),
            at,
        )

    def customer(self, name: str, at: datetime) -> Envelope:
        customer = Customer(name=name, phone="+79039998877", address=Address(text="Химки, Мира 3"))
        return self.add(orders.CustomerUpdated(order_id=self.id, customer=customer), at)

    def move(self, from_stage: str, to_stage: str, at: datetime) -> Envelope:
        return self.add(
            orders.StageChanged(
                order_id=self.id, from_stage=from_stage, to_stage=to_stage, direction="forward"
            ),
            at,
        )

    def deal(self, at: datetime) -> Envelope:
        return self.add(
            orders.DealTermsRecorded(
                order_id=self.id,
                amount=SECRET_AMOUNT,
                decor="шпон",
                finishing="лак",
                extra_work="нет",
                payment_terms=SECRET_TERMS,
            ),
            at,
        )


def new_order(number: int) -> Order:
    return Order(uuid.uuid4(), number)


def visit(
    order_id: uuid.UUID,
    assignee: uuid.UUID,
    starts: datetime,
    hours: float,
    kind: Any = "measurement",
) -> tuple[Envelope, Envelope, uuid.UUID]:
    """VisitBooked and its TaskCreated (scheduling streams of their own)."""
    visit_id, task_id = uuid.uuid4(), uuid.uuid4()
    booked = scheduling.VisitBooked(
        visit_id=visit_id,
        order_id=order_id,
        kind=kind,
        assignee_id=assignee,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        task_id=task_id,
    )
    task = scheduling.TaskCreated(
        task_id=task_id,
        order_id=order_id,
        visit_id=visit_id,
        kind=kind,
        title="Замер",
        assignee_id=assignee,
        due_at=starts + timedelta(hours=hours),
    )
    at = starts - timedelta(days=1)
    return (
        envelope(booked, f"visit-{visit_id}", 1, at),
        envelope(task, f"task-{task_id}", 1, at),
        task_id,
    )


def user(user_id: uuid.UUID, username: str, role: identity.Role, at: datetime) -> Envelope:
    event = identity.UserRegistered(
        user_id=user_id, username=username, display_name=username.title(), role=role
    )
    return envelope(event, f"user-{user_id}", 1, at)


async def deliver(pool: asyncpg.Pool, env: Envelope) -> bool:
    """What the consumer does with one message: claim the id, apply, one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        if not await claim(conn, GROUP, env.event_id):
            return False
        await apply_event(conn, env)
        return True


async def sums(pool: asyncpg.Pool) -> dict[str, str]:
    async with pool.acquire() as conn:
        return await checksum(conn, CHECKSUM_QUERIES)


async def stage_counts(pool: asyncpg.Pool | Conn) -> tuple[dict[str, int], dict[str, int]]:
    """(stored, counted): the stored cards per stage (stage_counts) and a GROUP BY of the
    cards themselves, which they must always equal."""
    stored = await pool.fetch("SELECT stage, n FROM stage_counts")
    counted = await pool.fetch("SELECT stage, count(*) AS n FROM board_cards GROUP BY stage")
    return {r["stage"]: r["n"] for r in stored}, {r["stage"]: r["n"] for r in counted}


def interleave(events: list[Envelope], seed: int) -> list[Envelope]:
    """Another arrival order the broker may produce: streams (partition keys) mixed at
    random, each stream's own events still in order."""
    queues: dict[str, list[Envelope]] = {}
    for env in events:
        queues.setdefault(env.stream_id, []).append(env)
    rng, out = random.Random(seed), []
    while queues:
        stream = rng.choice(sorted(queues))
        out.append(queues[stream].pop(0))
        if not queues[stream]:
            del queues[stream]
    return out


# Pipeline versions: 1 is the golden fixture (the default pipeline); 2 adds `varnishing`
# between production and shipment_prep; 3 is 2 without `rework`.
FIXTURES = Path(__file__).resolve().parents[2] / "contracts" / "fixtures"


def pipeline_v1() -> PipelineDefinition:
    data = json.loads((FIXTURES / "orders.PipelinePublished.v1.json").read_text())
    return PipelineDefinition.model_validate(data["data"]["definition"])


def pipeline_v2() -> PipelineDefinition:
    base = pipeline_v1()
    stages = list(base.stages)
    varnishing = StageDefinition(
        key="varnishing", title_ru="Лакировка", title_en="Varnishing", limit_hours=24
    )
    stages.insert(base.keys().index("production") + 1, varnishing)
    forward = {**base.forward, "production": ["varnishing"], "varnishing": ["shipment_prep"]}
    return PipelineDefinition(stages=stages, forward=forward)


def pipeline_v3() -> PipelineDefinition:
    base = pipeline_v2()
    forward = {k: [t for t in v if t != "rework"] for k, v in base.forward.items()}
    forward.pop("rework", None)
    return PipelineDefinition(stages=[s for s in base.stages if s.key != "rework"], forward=forward)


def published(version: int, definition: PipelineDefinition, at: datetime) -> Envelope:
    """orders.PipelinePublished as the orders service writes it: stream `pipeline`."""
    event = orders.PipelinePublished(version=version, definition=definition)
    return envelope(event, "pipeline", version, at)

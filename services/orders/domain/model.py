"""The Order aggregate's state and the commands it accepts. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.envelope import Actor
from contracts.events.common import Customer


@dataclass(frozen=True)
class Order:
    id: UUID | None = None
    number: int = 0
    title: str = ""
    customer: Customer | None = None
    description: str | None = None
    manager_id: str | None = None
    stage: str = "intake"
    stage_entered_at: datetime | None = None
    pipeline_version: int = 1
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.id is not None


@dataclass(frozen=True)
class CreateOrder:
    order_id: UUID
    number: int
    title: str
    customer: Customer
    description: str | None
    actor: Actor
    at: datetime
    pipeline_version: int = 1


Command = CreateOrder

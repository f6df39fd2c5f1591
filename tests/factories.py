"""Small builders of envelopes and events for tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Actor, Envelope
from contracts.events import registry

MANAGER = Actor(kind="user", id=str(uuid.uuid4()), username="manager", role="manager")


def order_created_data(order_id: uuid.UUID | None = None, number: int = 1) -> dict[str, Any]:
    return {
        "order_id": str(order_id or uuid.uuid4()),
        "number": number,
        "title": "Шкаф",
        "customer": {"name": "Иванов", "phone": "+79151234567", "address": {"text": "Москва"}},
        "description": None,
        "manager_id": MANAGER.id,
        "pipeline_version": 1,
    }


def envelope(
    stream_id: str,
    *,
    type_: str = "orders.OrderCreated",
    data: dict[str, Any] | None = None,
    schema_version: int | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope:
    """An event as its producer writes it today (the type's current version), unless told."""
    return Envelope(
        event_id=event_id or uuid.uuid4(),
        type=type_,
        schema_version=schema_version or registry.current_version(type_),
        stream_id=stream_id,
        stream_version=1,
        occurred_at=datetime.now(UTC),
        actor=MANAGER,
        correlation_id=str(uuid.uuid4()),
        data=data if data is not None else order_created_data(),
    )


def new_stream() -> str:
    return f"order-{uuid.uuid4()}"

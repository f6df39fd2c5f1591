"""Applies one event to the read models, inside the consumer's transaction."""

from __future__ import annotations

from uuid import UUID

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.orders import (
    CustomerUpdated,
    ManagerAssigned,
    OrderCreated,
    StageChanged,
)
from contracts.events.scheduling import TaskCreated, VisitBooked, VisitRescheduled
from plumbing.db import Conn
from services.projections.adapters import access_store, board_store
from services.projections.domain.board import card_from_created


async def apply_event(conn: Conn, envelope: Envelope) -> None:
    if not registry.known(envelope.type):
        return  # an event type from a newer producer: nothing here reads it yet
    event = registry.decode(envelope)
    match event:
        case OrderCreated():
            card = card_from_created(event, envelope.occurred_at, envelope.stream_version)
            await board_store.insert_card(conn, card)
        case StageChanged():
            await board_store.touch(
                conn,
                str(event.order_id),
                envelope.stream_version,
                stage=event.to_stage,
                stage_entered_at=envelope.occurred_at,
            )
        case CustomerUpdated():
            c = event.customer
            await board_store.touch(
                conn,
                str(event.order_id),
                envelope.stream_version,
                customer_name=c.name,
                phone=c.phone,
                address=c.address.one_line(),
                address_json=c.address.model_dump(exclude_none=True),
            )
            await board_store.reindex_search(conn, str(event.order_id))
        case ManagerAssigned():
            await board_store.touch(
                conn, str(event.order_id), envelope.stream_version, manager_id=event.manager_id
            )
        case _ if envelope.type.startswith("orders."):
            # Every other order event still moves the card's version (read-your-writes).
            await board_store.touch(
                conn, envelope.stream_id.removeprefix("order-"), envelope.stream_version
            )
        case VisitBooked() | VisitRescheduled():
            await access_store.grant(
                conn, event.order_id, event.assignee_id, "visit", envelope.occurred_at
            )
        case TaskCreated(order_id=UUID() as order_id, assignee_id=UUID() as assignee):
            await access_store.grant(conn, order_id, assignee, "task", envelope.occurred_at)
        case _ if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await board_store.upsert_user(conn, envelope.data)

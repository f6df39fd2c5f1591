"""Applies one event to the read models, inside the consumer's transaction."""

from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.orders import OrderCreated
from plumbing.db import Conn
from services.projections.adapters import board_store
from services.projections.domain.board import card_from_created


async def apply_event(conn: Conn, envelope: Envelope) -> None:
    if not registry.known(envelope.type):
        return  # an event type from a newer producer: nothing here reads it yet
    event = registry.decode(envelope)
    match event:
        case OrderCreated():
            card = card_from_created(event, envelope.occurred_at, envelope.stream_version)
            await board_store.insert_card(conn, card)
        case _ if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await board_store.upsert_user(conn, envelope.data)

"""Which events notify whom."""

from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.orders import OrderCreated
from plumbing.db import Conn
from services.notifications.adapters import inbox_store
from services.notifications.domain.messages import order_created


async def apply_event(conn: Conn, envelope: Envelope) -> None:
    if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
        await inbox_store.upsert_recipient(conn, envelope.data)
        return
    if not registry.known(envelope.type):
        return
    event = registry.decode(envelope)
    if isinstance(event, OrderCreated):
        # Directors watch the intake: every new order lands in their inbox.
        for director in await inbox_store.users_with_role(conn, "director"):
            await inbox_store.notify(
                conn,
                director,
                event.order_id,
                envelope.event_id,
                order_created(event.number, event.title),
            )

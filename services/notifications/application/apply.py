"""Which events notify whom. Runs inside the consumer's inbox transaction, so every
notification is created once per causing event however often Kafka delivers it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from contracts.envelope import Envelope
from contracts.events import orders, registry, scheduling
from plumbing.db import Conn
from services.notifications.adapters import facts_store, inbox_store
from services.notifications.domain import messages
from services.notifications.domain.reminders import reminders_for

Clock = Callable[[], datetime]


class Notifier:
    def __init__(self, timezone: str, hour: int, clock: Clock = lambda: datetime.now(UTC)):
        self.timezone = timezone
        self.hour = hour
        self.clock = clock

    async def __call__(self, conn: Conn, envelope: Envelope) -> None:
        if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await inbox_store.upsert_recipient(conn, envelope.data)
            return
        if not registry.known(envelope.type):
            return
        event = registry.decode(envelope)
        cause = envelope.event_id
        match event:
            case orders.OrderCreated():
                await facts_store.remember_order(
                    conn, event.order_id, event.number, event.manager_id, event.pipeline_version
                )
                # Directors watch the intake: every new order lands in their inbox.
                for director in await inbox_store.users_with_role(conn, "director"):
                    await inbox_store.notify(
                        conn,
                        director,
                        event.order_id,
                        cause,
                        messages.order_created(event.number, event.title),
                    )
            case orders.PipelinePublished():
                await facts_store.remember_pipeline(conn, event.version, event.definition)
            case orders.ManagerAssigned():
                await facts_store.set_manager(conn, event.order_id, event.manager_id)
            case orders.CommentPosted():
                known = await facts_store.order(conn, event.order_id)
                author = envelope.actor.username or "?"
                for mention in event.mentions:
                    await inbox_store.notify(
                        conn,
                        UUID(mention.user_id),
                        event.order_id,
                        cause,
                        messages.mentioned(author, known.number if known else None, event.text),
                    )
            case orders.AutoMoveRefused():
                known = await facts_store.order(conn, event.order_id)
                if known and known.manager_id:
                    codes = [u.code for u in event.unmet]
                    title = await facts_store.stage_title(conn, event.order_id, event.to_stage)
                    await inbox_store.notify(
                        conn,
                        known.manager_id,
                        event.order_id,
                        cause,
                        messages.move_refused(known.number, event.to_stage, title, codes),
                    )
            case scheduling.NotificationRequested():
                await self._requested(conn, event, cause)
            case scheduling.VisitBooked() | scheduling.VisitRescheduled():
                due = reminders_for(event.starts_at, self.clock(), self.timezone, self.hour)
                await facts_store.replace_reminders(
                    conn,
                    event.visit_id,
                    event.assignee_id,
                    event.order_id,
                    event.kind,
                    event.starts_at,
                    [(r.kind, r.due_at) for r in due],
                )
            case scheduling.VisitCancelled():
                await facts_store.drop_reminders(conn, event.visit_id)

    async def _requested(
        self, conn: Conn, event: scheduling.NotificationRequested, cause: UUID
    ) -> None:
        recipients: set[UUID] = set()
        known = await facts_store.order(conn, event.order_id)
        if event.notify_manager and known and known.manager_id:
            recipients.add(known.manager_id)
        if event.role:
            recipients.update(await inbox_store.users_with_role(conn, event.role))
        if event.user_id:
            recipients.add(event.user_id)
        message = messages.Message(ru=event.text_ru, en=event.text_en)
        for user in recipients:
            await inbox_store.notify(conn, user, event.order_id, cause, message)

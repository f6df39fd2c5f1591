"""Which events notify whom: the defaults table of the README (Notifications), in one place.

Runs inside the consumer's inbox transaction, so every notice is created once per causing
event however often Kafka delivers it, and its deliveries are queued in that same
transaction (application/notices.py): a redelivered event sends nothing new."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from contracts.envelope import Envelope
from contracts.events import orders, registry, scheduling
from plumbing.db import Conn
from services.notifications.adapters import facts_store, inbox_store
from services.notifications.adapters.customer_sms_store import CustomerVisit
from services.notifications.application.customer_sms import CustomerConfirmations
from services.notifications.application.notices import Notice, Notices
from services.notifications.domain import messages, routing
from services.notifications.domain.reminders import reminders_for

Clock = Callable[[], datetime]
# Events of the scheduling topic (the rest that notify are the orders topic's).
_SCHEDULING = (
    scheduling.OrderOverdue,
    scheduling.TaskCreated,
    scheduling.TaskCompleted,
    scheduling.TaskCancelled,
    scheduling.NotificationRequested,
    scheduling.VisitBooked,
    scheduling.VisitRescheduled,
    scheduling.VisitCancelled,
)


class Notifier:
    def __init__(
        self,
        timezone: str,
        hour: int,
        clock: Clock = lambda: datetime.now(UTC),
        notices: Notices | None = None,
        customers: CustomerConfirmations | None = None,
    ):
        self.timezone = timezone
        self.hour = hour
        self.clock = clock
        # Without channels (tests of the inbox alone): the inbox only.
        self.notices = notices or Notices({}, timezone)
        # The customers' confirmation SMS; off unless wired on (bootstrap.py).
        self.customers = customers or CustomerConfirmations(False, timezone, clock=clock)

    async def _tell(self, conn: Conn, notice: Notice) -> None:
        await self.notices.tell(conn, notice, self.clock())

    async def _owner(self, conn: Conn, order_id: UUID) -> tuple[UUID | None, int | None]:
        """Who hears of an order's progress: its manager, or without one its creator."""
        known = await facts_store.order(conn, order_id)
        if known is None:
            return None, None
        return known.manager_id or known.creator_id, known.number

    async def __call__(self, conn: Conn, envelope: Envelope) -> None:
        if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await inbox_store.upsert_recipient(conn, envelope.data)
            await self.notices.late(conn, UUID(envelope.data["user_id"]), self.clock())
            return
        if not registry.known(envelope.type):
            return
        event = registry.decode(envelope)
        if isinstance(event, _SCHEDULING):
            await self._scheduling(conn, event, envelope.event_id)
        else:
            await self._orders(conn, event, envelope)

    async def _orders(self, conn: Conn, event: object, envelope: Envelope) -> None:
        cause = envelope.event_id
        match event:
            case orders.OrderCreated():
                actor = envelope.actor
                creator = actor.id if actor.kind == "user" else None
                await facts_store.remember_order(
                    conn,
                    event.order_id,
                    event.number,
                    event.manager_id,
                    event.pipeline_version,
                    creator,
                )
                await self.customers.phone(conn, event.order_id, event.customer.phone)
                if event.imported_from is not None:
                    return  # brought over from Bitrix24: history, not news (issue 20)
                # Directors watch the intake: every new order lands in their inbox.
                for director in await inbox_store.users_with_role(conn, "director"):
                    message = messages.order_created(event.number, event.title)
                    await self._tell(
                        conn,
                        Notice(director, event.order_id, cause, "order_created", message, False),
                    )
            case orders.PipelinePublished():
                await facts_store.remember_pipeline(conn, event.version, event.definition)
            case orders.CustomerUpdated():
                await self.customers.phone(conn, event.order_id, event.customer.phone)
            case orders.SmsConsentRecorded():
                await self.customers.consent(conn, event.order_id, event.consent)
            case orders.ManagerAssigned():
                await facts_store.set_manager(conn, event.order_id, event.manager_id)
            case orders.CommentPosted():
                known = await facts_store.order(conn, event.order_id)
                author = envelope.actor.username or "?"
                for mention in event.mentions:
                    message = messages.mentioned(
                        author, known.number if known else None, event.text
                    )
                    await self._tell(
                        conn,
                        Notice(UUID(mention.user_id), event.order_id, cause, "mention", message),
                    )
            case orders.AutoMoveRefused():
                owner, number = await self._owner(conn, event.order_id)
                if owner:
                    title = await facts_store.stage_title(conn, event.order_id, event.to_stage)
                    words = [(u.message_ru, u.message_en) for u in event.unmet]
                    message = messages.move_refused(number, event.to_stage, title, words)
                    await self._tell(
                        conn, Notice(owner, event.order_id, cause, "move_refused", message)
                    )
            case orders.StageChanged():
                await facts_store.clear_overdue(conn, event.order_id)
                owner, number = await self._owner(conn, event.order_id)
                # A move imported from Bitrix24 is history, not news (issue 20).
                if owner and event.imported_from is None:
                    title = await facts_store.stage_title(conn, event.order_id, event.to_stage)
                    message = messages.stage_changed(number, title, event.to_stage)
                    await self._tell(
                        conn, Notice(owner, event.order_id, cause, "stage_changed", message)
                    )
            case orders.ProductionFinished():
                owner, number = await self._owner(conn, event.order_id)
                if owner:
                    message = messages.production_finished(number)
                    await self._tell(
                        conn, Notice(owner, event.order_id, cause, "production_finished", message)
                    )
            case orders.MediaAttached():
                await self._uploaded(conn, event, cause)

    async def _scheduling(self, conn: Conn, event: object, cause: UUID) -> None:
        match event:
            case scheduling.OrderOverdue():
                await facts_store.mark_overdue(conn, event.order_id, event.stage)
                owner, number = await self._owner(conn, event.order_id)
                # Late already when imported: the morning summary lists it (issue 20).
                if owner and not event.late_when_imported:
                    title = await facts_store.stage_title(conn, event.order_id, event.stage)
                    message = messages.overdue(number, title, event.stage)
                    await self._tell(conn, Notice(owner, event.order_id, cause, "overdue", message))
            case scheduling.TaskCreated():
                await facts_store.remember_task(
                    conn, event.task_id, event.order_id, event.title, event.due_at
                )
                if event.visit_id is None:  # a visit's task: its booking notice tells it
                    await self._task_created(conn, event, cause)
            case scheduling.TaskCompleted():
                task_title = await facts_store.close_task(conn, event.task_id)
                if event.order_id is not None and task_title is not None:
                    owner, number = await self._owner(conn, event.order_id)
                    if owner and owner != event.completed_by:
                        message = messages.task_completed(task_title, number)
                        await self._tell(
                            conn, Notice(owner, event.order_id, cause, "task_completed", message)
                        )
            case scheduling.TaskCancelled():
                await facts_store.close_task(conn, event.task_id)
            case scheduling.NotificationRequested():
                if event.rule_id not in routing.RETIRED_ROBOTS:
                    await self._requested(conn, event, cause)
            case scheduling.VisitBooked():
                await self._visit_set(conn, event, cause, None)
                await self.customers.visit_set(conn, _customer_visit(event))
            case scheduling.VisitRescheduled():
                before = await facts_store.visit(conn, event.visit_id)
                await self._visit_set(conn, event, cause, before)
                await self.customers.visit_set(conn, _customer_visit(event))
            case scheduling.VisitCancelled():
                await facts_store.drop_reminders(conn, event.visit_id)
                await self.customers.visit_cancelled(conn, event.visit_id)
                before = await facts_store.visit(conn, event.visit_id)
                if before is not None:
                    await self._visit_notice(
                        conn, before, event.order_id, cause, "visit_cancelled", "cancelled"
                    )
                    await facts_store.forget_visit(conn, event.visit_id)

    async def _visit_set(
        self,
        conn: Conn,
        event: scheduling.VisitBooked | scheduling.VisitRescheduled,
        cause: UUID,
        before: facts_store.KnownVisit | None,
    ) -> None:
        tz = event.assignee_timezone or self.timezone
        due = reminders_for(event.starts_at, self.clock(), tz, self.hour)
        await facts_store.replace_reminders(
            conn,
            event.visit_id,
            event.assignee_id,
            event.order_id,
            event.kind,
            event.starts_at,
            [(r.kind, r.due_at) for r in due],
            tz,
        )
        now = facts_store.KnownVisit(
            event.assignee_id, event.kind, event.starts_at, event.assignee_timezone
        )
        await facts_store.remember_visit(conn, event.visit_id, now)
        if before is None and isinstance(event, scheduling.VisitRescheduled):
            # Booked before this service kept visits: a move all the same.
            await self._visit_notice(conn, now, event.order_id, cause, "visit_moved", "moved")
        elif before is None or before.assignee_id != now.assignee_id:
            if before is not None:  # reassigned: the one it was taken from hears so too
                await self._visit_notice(
                    conn, before, event.order_id, cause, "visit_cancelled", "taken"
                )
            await self._visit_notice(conn, now, event.order_id, cause, "visit_booked", "booked")
        elif before.starts_at != now.starts_at:
            # Urgent when either the old or the new time is within a day.
            soonest = min(before.starts_at, now.starts_at)
            await self._visit_notice(
                conn, now, event.order_id, cause, "visit_moved", "moved", urgent_at=soonest
            )

    async def _visit_notice(
        self,
        conn: Conn,
        visit: facts_store.KnownVisit,
        order_id: UUID,
        cause: UUID,
        kind: str,
        change: str,
        urgent_at: datetime | None = None,
    ) -> None:
        tz = visit.timezone or self.timezone
        known = await facts_store.order(conn, order_id)
        number = known.number if known else None
        message = messages.visit(change, visit.kind, visit.starts_at, number, tz)
        await self._tell(
            conn,
            Notice(
                visit.assignee_id,
                order_id,
                cause,
                kind,
                message,
                personal=True,
                starts_at=urgent_at or visit.starts_at,
                timezone=tz,
            ),
        )

    async def _task_created(self, conn: Conn, event: scheduling.TaskCreated, cause: UUID) -> None:
        known = await facts_store.order(conn, event.order_id)
        message = messages.task_assigned(event.title, known.number if known else None)
        people = (
            [(event.assignee_id, True)]
            if event.assignee_id
            else [
                (u, False)
                for u in await inbox_store.users_with_role(conn, event.assignee_role or "")
            ]
        )
        for person, personal in people:
            await self._tell(
                conn,
                Notice(
                    person,
                    event.order_id,
                    cause,
                    "task_assigned",
                    message,
                    personal,
                    starts_at=event.due_at,
                ),
            )

    async def _uploaded(self, conn: Conn, event: orders.MediaAttached, cause: UUID) -> None:
        """Uploads within MEDIA_GROUP_WINDOW of the first make one notice: the first opens
        it, the rest update its count (its deliveries wait for the window to close)."""
        owner, number = await self._owner(conn, event.order_id)
        if owner is None:
            return
        now = self.clock()
        photo = event.kind == "photo"
        group = await inbox_store.open_media_group(
            conn, owner, event.order_id, now - routing.MEDIA_GROUP_WINDOW
        )
        if group is not None:
            photos, documents = group["photos"] + photo, group["documents"] + (not photo)
            message = messages.media_uploaded(number, photos, documents)
            await inbox_store.regroup(conn, group["id"], photos, documents, message)
            return
        message = messages.media_uploaded(number, int(photo), int(not photo))
        notice_id = await self.notices.tell(
            conn, Notice(owner, event.order_id, cause, "media_uploaded", message), now
        )
        if notice_id is not None:
            await inbox_store.regroup(conn, notice_id, int(photo), int(not photo), message)

    async def _requested(
        self, conn: Conn, event: scheduling.NotificationRequested, cause: UUID
    ) -> None:
        """A robot's own `notify`: the same path as every notice (kind `robot`)."""
        recipients: dict[UUID, bool] = {}  # person -> named personally
        if event.role:
            recipients.update(
                (u, False) for u in await inbox_store.users_with_role(conn, event.role)
            )
        known = await facts_store.order(conn, event.order_id)
        if event.notify_manager and known and known.manager_id:
            recipients[known.manager_id] = True
        if event.user_id:
            recipients[event.user_id] = True
        message = messages.Message(ru=event.text_ru, en=event.text_en)
        for user, personal in recipients.items():
            await self._tell(conn, Notice(user, event.order_id, cause, "robot", message, personal))


def _customer_visit(event: scheduling.VisitBooked | scheduling.VisitRescheduled) -> CustomerVisit:
    return CustomerVisit(event.visit_id, event.order_id, event.kind, event.starts_at, event.ends_at)

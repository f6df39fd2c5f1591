"""Applies one event to the read models, inside the consumer's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.orders import (
    CustomerUpdated,
    DealTermsRecorded,
    ManagerAssigned,
    MediaAttached,
    MediaDetached,
    OrderCreated,
    PipelinePublished,
    PromisedDateSet,
    StageChanged,
    TitleChanged,
)
from contracts.events.scheduling import (
    OrderOverdue,
    TaskCancelled,
    TaskCompleted,
    TaskCreated,
    VisitBooked,
    VisitCancelled,
    VisitCheckedIn,
    VisitCheckedOut,
    VisitRescheduled,
)
from plumbing.db import Conn
from services.projections.adapters import (
    access_store,
    board_store,
    customers_store,
    lag,
    pipeline_store,
    work_store,
)
from services.projections.domain.board import card_from_created

# The consumer group; the rebuild claims event ids under the same name in the fresh inbox.
GROUP = "projections"


async def apply_event(conn: Conn, envelope: Envelope) -> None:
    """The live handler: the read-model change plus one row of the realtime feed."""
    await apply(conn, envelope, feed=True)
    lag.observe(envelope.occurred_at, datetime.now(UTC))


async def apply(conn: Conn, envelope: Envelope, *, feed: bool) -> None:
    if not registry.known(envelope.type):
        return  # an event type from a newer producer: nothing here reads it yet
    event = registry.decode(envelope)
    at = envelope.occurred_at
    # A file's purpose goes into the feed row, so the gateway can keep a commercial file's
    # comings and goings from roles that may not see it; a detach names no purpose, so it
    # is read before the row goes.
    purpose = None
    if isinstance(event, MediaAttached):
        purpose = event.purpose
    elif isinstance(event, MediaDetached) and feed:
        purpose = await work_store.media_purpose(conn, event.media_id)
    order_id = await _apply(conn, envelope, event, at)
    if feed and order_id is not None:
        stage = event.to_stage if isinstance(event, StageChanged) else None
        await work_store.record_change(conn, order_id, envelope.type, stage, at, purpose)


async def _refresh_customer(conn: Conn, order_id: str) -> None:
    """The customer directory's row of the order's number, summed up again (issue 20)."""
    digits = await customers_store.digits_of(conn, order_id)
    if digits is not None:
        await customers_store.refresh(conn, digits)


async def _details_changed(conn: Conn, event: CustomerUpdated | TitleChanged, version: int) -> None:
    if isinstance(event, TitleChanged):
        await board_store.title_changed(conn, str(event.order_id), version, event.title)
        return
    c = event.customer
    # The number may change: the customer it leaves is summed up again, as is the new one.
    before = await customers_store.digits_of(conn, str(event.order_id))
    await board_store.customer_changed(
        conn,
        str(event.order_id),
        version,
        c.name,
        c.phone,
        c.address.one_line(),
        c.address.model_dump(exclude_none=True),
    )
    if before is not None:
        await customers_store.refresh(conn, before)
    await _refresh_customer(conn, str(event.order_id))


async def _media_changed(conn: Conn, event: MediaAttached | MediaDetached, version: int) -> None:
    if isinstance(event, MediaAttached):
        await work_store.attach_media(conn, event)
    else:
        await work_store.detach_media(conn, event.media_id)
    await board_store.refresh_summary(conn, event.order_id)
    await board_store.touch(conn, str(event.order_id), version)


async def _task_changed(
    conn: Conn, event: TaskCreated | TaskCompleted | TaskCancelled, at: datetime
) -> None:
    if isinstance(event, TaskCreated):
        await work_store.upsert_task(conn, event, at)
        if event.order_id is not None and event.assignee_id is not None:
            await access_store.grant(conn, event.order_id, event.assignee_id, "task", at)
    else:
        status = "done" if isinstance(event, TaskCompleted) else "cancelled"
        await work_store.close_task(conn, event.task_id, event.order_id, event.kind, status, at)
    await board_store.refresh_summary(conn, event.order_id)


async def _apply(conn: Conn, envelope: Envelope, event: object, at: datetime) -> UUID | None:
    """Returns the order the event is about (None when it is about no order)."""
    version = envelope.stream_version
    match event:
        case OrderCreated():
            await board_store.insert_card(conn, card_from_created(event, at, version))
            await _refresh_customer(conn, str(event.order_id))
            await work_store.enter_stage(conn, event.order_id, "intake", at, version)
            return event.order_id
        case StageChanged():
            oid = str(event.order_id)
            await board_store.touch(conn, oid, version, stage=event.to_stage, stage_entered_at=at)
            await _refresh_customer(conn, oid)
            await work_store.enter_stage(conn, event.order_id, event.to_stage, at, version)
            return event.order_id
        case CustomerUpdated() | TitleChanged():
            await _details_changed(conn, event, version)
            return event.order_id
        case ManagerAssigned():
            await board_store.touch(conn, str(event.order_id), version, manager_id=event.manager_id)
            return event.order_id
        case PromisedDateSet():
            oid = str(event.order_id)
            await board_store.touch(conn, oid, version, promised_date=event.promised_date)
            return event.order_id
        case DealTermsRecorded():
            # Commercial: stored for managers, directors and analysts; the gateway strips it.
            await board_store.touch(conn, str(event.order_id), version, amount=event.amount)
            return event.order_id
        case MediaAttached() | MediaDetached():
            await _media_changed(conn, event, version)
            return event.order_id
        case PipelinePublished():
            # About no order (stream `pipeline`): it may arrive after orders of its version,
            # which is why titles, columns and production's view join it at read time.
            await pipeline_store.record(conn, event.version, event.definition)
            return None
        case _ if envelope.type.startswith("orders."):
            # Every other order event still moves the card's version (read-your-writes).
            oid = envelope.stream_id.removeprefix("order-")
            await board_store.touch(conn, oid, version)
            return UUID(oid)
        case VisitBooked() | VisitRescheduled():
            await work_store.upsert_visit(conn, event)
            await access_store.grant(conn, event.order_id, event.assignee_id, "visit", at)
            return event.order_id
        case VisitCancelled():
            await work_store.cancel_visit(conn, event.visit_id)
            return event.order_id
        case VisitCheckedIn() | VisitCheckedOut():
            await work_store.record_on_site(conn, event)
            return event.order_id
        case TaskCreated() | TaskCompleted() | TaskCancelled():
            await _task_changed(conn, event, at)
            return event.order_id
        case OrderOverdue():
            await work_store.record_overdue(conn, event, at)
            return event.order_id
        case _ if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await board_store.upsert_user(conn, envelope.data)
    return None

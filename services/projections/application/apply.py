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
from services.projections.adapters import lag
from services.projections.adapters.postgres_read_models import PostgresReadModels
from services.projections.application.read_models import ReadModels
from services.projections.domain.board import card_from_created

# The consumer group; the rebuild claims event ids under the same name in the fresh inbox.
GROUP = "projections"


async def apply_event(conn: Conn, envelope: Envelope) -> None:
    """The live handler: the read-model change plus one row of the realtime feed."""
    await apply(conn, envelope, feed=True)
    lag.observe(envelope.occurred_at, datetime.now(UTC))


async def apply(conn: Conn, envelope: Envelope, *, feed: bool) -> None:
    """One event into the read models in PostgreSQL, inside the caller's transaction."""
    await project(PostgresReadModels(conn), envelope, feed=feed)


async def project(models: ReadModels, envelope: Envelope, *, feed: bool) -> None:
    """Which rows `envelope` changes, decided once for the live consumer (PostgreSQL) and the
    rebuild's bulk load (in memory, see application/read_models.py)."""
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
        purpose = await models.media_purpose(event.media_id)
    order_id = await _apply(models, envelope, event, at)
    if feed and order_id is not None:
        stage = event.to_stage if isinstance(event, StageChanged) else None
        await models.record_change(order_id, envelope.type, stage, at, purpose)


async def _refresh_customer(models: ReadModels, order_id: str) -> None:
    """The customer directory's row of the order's number, summed up again (issue 20)."""
    digits = await models.digits_of(order_id)
    if digits is not None:
        await models.refresh_customer(digits)


async def _details_changed(
    models: ReadModels, event: CustomerUpdated | TitleChanged, version: int
) -> None:
    if isinstance(event, TitleChanged):
        await models.title_changed(str(event.order_id), version, event.title)
        return
    c = event.customer
    # The number may change: the customer it leaves is summed up again, as is the new one.
    before = await models.digits_of(str(event.order_id))
    await models.customer_changed(
        str(event.order_id),
        version,
        c.name,
        c.phone,
        c.address.one_line(),
        c.address.model_dump(exclude_none=True),
    )
    if before is not None:
        await models.refresh_customer(before)
    await _refresh_customer(models, str(event.order_id))


async def _media_changed(
    models: ReadModels, event: MediaAttached | MediaDetached, version: int
) -> None:
    if isinstance(event, MediaAttached):
        await models.attach_media(event)
    else:
        await models.detach_media(event.media_id)
    await models.refresh_summary(event.order_id)
    await models.touch(str(event.order_id), version)


async def _task_changed(
    models: ReadModels, event: TaskCreated | TaskCompleted | TaskCancelled, at: datetime
) -> None:
    if isinstance(event, TaskCreated):
        await models.upsert_task(event, at)
        if event.order_id is not None and event.assignee_id is not None:
            await models.grant(event.order_id, event.assignee_id, "task", at)
    else:
        status = "done" if isinstance(event, TaskCompleted) else "cancelled"
        await models.close_task(event.task_id, event.order_id, event.kind, status, at)
    await models.refresh_summary(event.order_id)


async def _apply(
    models: ReadModels, envelope: Envelope, event: object, at: datetime
) -> UUID | None:
    """Returns the order the event is about (None when it is about no order)."""
    version = envelope.stream_version
    match event:
        case OrderCreated():
            await models.insert_card(card_from_created(event, at, version))
            await _refresh_customer(models, str(event.order_id))
            await models.enter_stage(event.order_id, "intake", at, version)
            return event.order_id
        case StageChanged():
            oid = str(event.order_id)
            await models.touch(oid, version, stage=event.to_stage, stage_entered_at=at)
            await _refresh_customer(models, oid)
            await models.enter_stage(event.order_id, event.to_stage, at, version)
            return event.order_id
        case CustomerUpdated() | TitleChanged():
            await _details_changed(models, event, version)
            return event.order_id
        case ManagerAssigned():
            await models.touch(str(event.order_id), version, manager_id=event.manager_id)
            return event.order_id
        case PromisedDateSet():
            await models.touch(str(event.order_id), version, promised_date=event.promised_date)
            return event.order_id
        case DealTermsRecorded():
            # Commercial: stored for managers, directors and analysts; the gateway strips it.
            await models.touch(str(event.order_id), version, amount=event.amount)
            return event.order_id
        case MediaAttached() | MediaDetached():
            await _media_changed(models, event, version)
            return event.order_id
        case PipelinePublished():
            # About no order (stream `pipeline`): it may arrive after orders of its version,
            # which is why titles, columns and production's view join it at read time.
            await models.record_pipeline(event.version, event.definition)
            return None
        case _ if envelope.type.startswith("orders."):
            # Every other order event still moves the card's version (read-your-writes).
            oid = envelope.stream_id.removeprefix("order-")
            await models.touch(oid, version)
            return UUID(oid)
        case VisitBooked() | VisitRescheduled():
            await models.upsert_visit(event)
            await models.grant(event.order_id, event.assignee_id, "visit", at)
            return event.order_id
        case VisitCancelled():
            await models.cancel_visit(event.visit_id)
            return event.order_id
        case VisitCheckedIn() | VisitCheckedOut():
            await models.record_on_site(event)
            return event.order_id
        case TaskCreated() | TaskCompleted() | TaskCancelled():
            await _task_changed(models, event, at)
            return event.order_id
        case OrderOverdue():
            await models.record_overdue(event, at)
            return event.order_id
        case _ if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await models.upsert_user(envelope.data)
    return None

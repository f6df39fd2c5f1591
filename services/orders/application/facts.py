"""Events of other services that matter to an order: gate facts and robot moves.

Each becomes a command with a deterministic event id derived from the causing event, so a
redelivered fact or robot request appends nothing the second time.
"""

from __future__ import annotations

import logging
from uuid import UUID

from contracts.envelope import Actor, Envelope
from contracts.events import media, registry, scheduling
from plumbing.db import Conn
from services.orders.application.ports import RecordUser
from services.orders.application.service import Cause, OrderService
from services.orders.domain.errors import OrderNotFound
from services.orders.domain.model import (
    Command,
    NoteMedia,
    NotePresence,
    NoteReview,
    NoteTaskDone,
    NoteVisit,
    RobotMove,
)

log = logging.getLogger(__name__)


def to_command(envelope: Envelope) -> tuple[UUID, Command] | None:
    """(order id, command) for the events orders cares about; None for the rest."""
    if not registry.known(envelope.type):
        return None
    event = registry.decode(envelope)
    source = envelope.event_id
    match event:
        case media.MediaUploaded():
            return event.order_id, NoteMedia(
                event.media_id,
                event.kind,
                event.purpose,
                event.filename,
                source,
                uploaded_by=event.uploaded_by,
                uploader_role=envelope.actor.role,
                visit_id=event.visit_id,
                # EXIF time, else the upload's: when the file was known to exist.
                taken_at=event.taken_at or envelope.occurred_at,
                location=event.location,
            )
        case media.MediaReviewed():
            return event.order_id, NoteReview(event.media_id, event.decision, event.reason, source)
        case scheduling.VisitCheckedIn() | scheduling.VisitCheckedOut():
            return event.order_id, NotePresence(
                event.visit_id,
                "check_in" if isinstance(event, scheduling.VisitCheckedIn) else "check_out",
                event.assignee_id,
                event.at,
                event.location,
                source,
            )
        case media.MediaDeleted():
            return event.order_id, NoteMedia(
                event.media_id, event.kind, event.purpose, "", source, attached=False
            )
        case scheduling.VisitBooked() | scheduling.VisitRescheduled():
            return event.order_id, NoteVisit(
                event.visit_id,
                event.task_id,
                event.kind,
                "booked",
                source,
                event.assignee_id,
                event.starts_at,
                event.ends_at,
                envelope.occurred_at if isinstance(event, scheduling.VisitBooked) else None,
            )
        case scheduling.VisitCancelled():
            return event.order_id, NoteVisit(
                event.visit_id, event.task_id, event.kind, "cancelled", source
            )
        case scheduling.TaskCompleted(order_id=order_id) if order_id is not None:
            return order_id, NoteTaskDone(
                event.task_id,
                event.visit_id,
                event.kind,
                event.completed_by,
                event.results,
                source,
            )
        case scheduling.StageMoveRequested():
            return event.order_id, RobotMove(event.to_stage, event.rule_id, event.cause_event_id)
    return None


class FactHandler:
    def __init__(self, service: OrderService, record_user: RecordUser) -> None:
        self.service = service
        self.record_user = record_user

    async def __call__(self, conn: Conn, envelope: Envelope) -> None:
        if envelope.type in ("identity.UserRegistered", "identity.UserUpdated"):
            await self.record_user(conn, envelope.data)
            return
        found = to_command(envelope)
        if found is None:
            return
        order_id, command = found
        actor = envelope.actor
        if isinstance(command, RobotMove):
            actor = Actor(kind="robot", rule_id=command.rule_id)
        try:
            await self.service.execute(
                order_id,
                command,
                actor,
                cause=Cause(envelope.event_id, envelope.correlation_id),
            )
        except OrderNotFound:
            # A fact about an order this store has never seen: nothing to attach it to.
            log.warning("%s refers to unknown order %s", envelope.type, order_id)

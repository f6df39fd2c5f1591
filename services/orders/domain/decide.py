"""decide(command, state, pipeline) -> events. Pure: time, ids and numbers arrive in the
command; the pipeline is the one the order was created with."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from contracts.events import orders as ev
from contracts.events.common import Customer
from services.orders.domain import moves
from services.orders.domain.errors import (
    InvalidOrder,
    OrderAlreadyExists,
    OrderClosed,
    PromiseBeforeCreation,
    WrongStage,
)
from services.orders.domain.model import (
    AssignManager,
    Command,
    CreateOrder,
    FinishProduction,
    MoveToStage,
    NoteMedia,
    NotePresence,
    NoteReview,
    NoteTaskDone,
    NoteVisit,
    Order,
    PinSite,
    PostComment,
    RecordDealTerms,
    RecordSmsConsent,
    RobotMove,
    SetPromisedDate,
    UpdateCustomer,
)
from services.orders.domain.pipeline import Pipeline
from services.orders.domain.words import COMPANY_TIMEZONE


def decide(command: Command, state: Order, pipeline: Pipeline) -> list[BaseModel]:
    events = _decide(command, state, pipeline)
    facts = NoteMedia | NoteVisit | NoteTaskDone | NotePresence | NoteReview
    if isinstance(command, facts) and events:
        events += moves.retry_awaiting(state, events, pipeline)
    return events


def _decide(command: Command, state: Order, pipeline: Pipeline) -> list[BaseModel]:
    if isinstance(command, CreateOrder):
        return _create(command, state)
    assert state.id is not None, "the application loads an existing order first"
    oid = state.id
    match command:
        case MoveToStage():
            return moves.move(command, state, pipeline)
        case RobotMove():
            return moves.robot_move(command, state, pipeline)
        case NoteMedia(attached=True):
            if command.media_id in state.media:
                return []
            return [
                ev.MediaAttached(
                    order_id=oid,
                    media_id=command.media_id,
                    kind=command.kind,  # type: ignore[arg-type]  # validated by media service
                    purpose=command.purpose,
                    filename=command.filename,
                    source_event_id=command.source_event_id,
                    uploaded_by=command.uploaded_by,
                    uploader_role=command.uploader_role,
                    visit_id=command.visit_id,
                    taken_at=command.taken_at,
                    location=command.location,
                )
            ]
        case NoteMedia(attached=False):
            if command.media_id not in state.media:
                return []
            return [
                ev.MediaDetached(
                    order_id=oid, media_id=command.media_id, source_event_id=command.source_event_id
                )
            ]
        case NoteVisit():
            return _note_visit(command, state)
        case NotePresence():
            return _note_presence(command, state)
        case NoteReview():
            media = state.media.get(command.media_id)
            if media is None or media.review == command.decision:
                return []
            return [
                ev.PhotoReviewed(
                    order_id=oid,
                    media_id=command.media_id,
                    decision=command.decision,  # type: ignore[arg-type]  # media validated it
                    reason=command.reason,
                    source_event_id=command.source_event_id,
                )
            ]
        case NoteTaskDone():
            if command.task_id in state.done_tasks:
                return []
            return [
                ev.TaskDone(
                    order_id=oid,
                    task_id=command.task_id,
                    visit_id=command.visit_id,
                    kind=command.kind,
                    completed_by=command.completed_by,
                    results=command.results,
                    source_event_id=command.source_event_id,
                )
            ]
    _require_open(state, pipeline)
    match command:
        case UpdateCustomer():
            return _update_customer(command, state)
        case AssignManager():
            return [ev.ManagerAssigned(order_id=oid, manager_id=command.manager_id)]
        case RecordSmsConsent():
            held = state.sms_consent
            if held is not None and held.given == command.consent:
                return []  # the same answer again: nothing changes, no event
            recorded = ev.SmsConsentRecorded(
                order_id=oid,
                consent=command.consent,
                by=command.by,
                by_username=command.by_username,
            )
            return [recorded]
        case SetPromisedDate():
            if command.promised_date == state.promised_date:
                return []  # nothing changes: no event
            if command.promised_date is not None:
                assert state.created_at is not None, "OrderCreated sets it"
                _check_promise(command.promised_date, state.created_at)
            return [ev.PromisedDateSet(order_id=oid, promised_date=command.promised_date)]
        case RecordDealTerms():
            if command.amount <= 0:
                raise InvalidOrder("amount: must be positive")
            return [
                ev.DealTermsRecorded(
                    order_id=oid,
                    amount=command.amount,
                    decor=command.decor,
                    finishing=command.finishing,
                    extra_work=command.extra_work,
                    payment_terms=command.payment_terms,
                )
            ]
        case PinSite():
            if command.location == state.site:
                return []
            return [ev.SitePinned(order_id=oid, location=command.location)]
        case FinishProduction():
            if state.stage != "production":
                raise WrongStage(
                    f"production can be finished only in 'production', not {state.stage!r}"
                )
            if state.production_finished:
                return []
            return [ev.ProductionFinished(order_id=oid)]
        case PostComment():
            if not command.text.strip():
                raise InvalidOrder("text: must not be empty")
            return [
                ev.CommentPosted(
                    order_id=oid,
                    comment_id=command.comment_id,
                    text=command.text,
                    mentions=[ev.Mention(user_id=u, username=n) for u, n in command.mentions],
                )
            ]
    raise TypeError(f"unknown command {command!r}")  # pragma: no cover - exhaustive


def _create(command: CreateOrder, state: Order) -> list[BaseModel]:
    if state.exists:
        raise OrderAlreadyExists(f"order {command.order_id} already exists")
    if not command.title.strip():
        raise InvalidOrder("title: must not be empty")
    created: list[BaseModel] = [
        ev.OrderCreated(
            order_id=command.order_id,
            number=command.number,
            title=command.title.strip(),
            customer=command.customer,
            description=command.description,
            manager_id=command.actor.id if command.actor.role == "manager" else None,
            pipeline_version=command.pipeline_version,
        )
    ]
    if command.promised_date is not None:
        _check_promise(command.promised_date, command.at)
        created.append(
            ev.PromisedDateSet(order_id=command.order_id, promised_date=command.promised_date)
        )
    return created


def _check_promise(promised: date, created_at: datetime) -> None:
    """A promise is a day on or after the day the order was taken, in the company's zone
    (where the customer was told it): a day before cannot have been promised for it."""
    created = created_at.astimezone(COMPANY_TIMEZONE).date()
    if promised < created:
        raise PromiseBeforeCreation(
            f"promised_date: {promised.isoformat()} is before the order was created "
            f"({created.isoformat()})",
        )


def _update_customer(command: UpdateCustomer, state: Order) -> list[BaseModel]:
    assert state.id is not None
    assert state.customer is not None, "OrderCreated always names the customer"
    current = state.customer
    name = (command.name or "").strip()  # a blank name keeps the one we have
    customer = Customer(
        name=name or current.name,
        phone=command.phone or current.phone,
        address=command.address if command.address is not None else current.address,
    )
    if customer == current:
        return []  # nothing changes: no event, as for a fact noted twice
    return [ev.CustomerUpdated(order_id=state.id, customer=customer)]


def _note_visit(command: NoteVisit, state: Order) -> list[BaseModel]:
    assert state.id is not None
    prior = state.visits.get(command.visit_id)
    assignee, starts, ends = command.assignee_id, command.starts_at, command.ends_at
    if command.status == "cancelled":
        if prior is None or prior.status == "cancelled":
            return []
        assignee, starts, ends = prior.assignee_id, prior.starts_at, prior.ends_at
    if assignee is None or starts is None or ends is None:
        return []
    return [
        ev.VisitRecorded(
            order_id=state.id,
            visit_id=command.visit_id,
            task_id=command.task_id,
            kind=command.kind,  # type: ignore[arg-type]  # validated by scheduling
            status=command.status,  # type: ignore[arg-type]
            assignee_id=assignee,
            starts_at=starts,
            ends_at=ends,
            source_event_id=command.source_event_id,
            booked_at=command.booked_at if prior is None else None,
        )
    ]


def _note_presence(command: NotePresence, state: Order) -> list[BaseModel]:
    """Record the check-in/out; the first check-in on the order pins the site."""
    assert state.id is not None
    events: list[BaseModel] = [
        ev.VisitPresence(
            order_id=state.id,
            visit_id=command.visit_id,
            act=command.act,  # type: ignore[arg-type]  # scheduling's event type says which
            assignee_id=command.assignee_id,
            at=command.at,
            location=command.location,
            source_event_id=command.source_event_id,
        )
    ]
    if command.act == "check_in" and state.site is None:
        events.append(
            ev.SitePinned(
                order_id=state.id, location=command.location, by_check_in=command.visit_id
            )
        )
    return events


def _require_open(state: Order, pipeline: Pipeline) -> None:
    if pipeline.is_terminal(state.stage):
        raise OrderClosed(f"the order is {state.stage}; it can no longer change")

"""evolve(state, event) -> state. Pure and total: unknown events leave the state as it is
(only the version moves), so a newer producer's events never break an older reader."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel

from contracts.events import orders as ev
from services.orders.domain.model import (
    AwaitingMove,
    Deal,
    DoneTask,
    Media,
    Order,
    SmsConsent,
    Visit,
)


def evolve(state: Order, event: BaseModel, at: datetime) -> Order:
    state = _apply(state, event, at)
    return replace(state, version=state.version + 1)


def _apply(state: Order, event: BaseModel, at: datetime) -> Order:
    match event:
        case ev.OrderCreated():
            return replace(
                state,
                id=event.order_id,
                number=event.number,
                title=event.title,
                customer=event.customer,
                description=event.description,
                manager_id=event.manager_id,
                stage="intake",
                stage_entered_at=at,
                created_at=at,
                pipeline_version=event.pipeline_version,
            )
        case ev.PromisedDateSet():
            return replace(state, promised_date=event.promised_date)
        case ev.SmsConsentRecorded():
            consent = SmsConsent(event.consent, event.by, at, event.by_username)
            return replace(state, sms_consent=consent)
        case ev.CustomerUpdated():
            return replace(state, customer=event.customer)
        case ev.ManagerAssigned():
            return replace(state, manager_id=event.manager_id)
        case ev.TitleChanged():
            return replace(state, title=event.title)
        case ev.OrderImported():
            return replace(state, external_ref=event.external_ref, import_comments=event.comments)
        case ev.StageChanged():
            seen = state.seen_causes
            if event.cause_event_id is not None:
                seen = seen | {event.cause_event_id}
            return replace(
                state,
                stage=event.to_stage,
                stage_entered_at=at,
                seen_causes=seen,
                awaiting_move=None,
            )
        case ev.AutoMoveRefused():
            awaiting = AwaitingMove(
                event.from_stage, event.to_stage, event.rule_id, event.cause_event_id
            )
            return replace(
                state,
                seen_causes=state.seen_causes | {event.cause_event_id},
                awaiting_move=awaiting,
            )
        case ev.DealTermsRecorded():
            deal = Deal(
                event.amount, event.decor, event.finishing, event.extra_work, event.payment_terms
            )
            return replace(state, deal=deal)
        case ev.ProductionFinished():
            return replace(state, production_finished=True)
        case ev.MediaAttached():
            media = Media(
                event.kind,
                event.purpose,
                event.filename,
                event.uploaded_by,
                event.uploader_role,
                event.visit_id,
                event.taken_at,
                event.location,
            )
            return replace(state, media={**state.media, event.media_id: media})
        case ev.PhotoReviewed():
            found = state.media.get(event.media_id)
            if found is None:
                return state
            reviewed = replace(found, review=event.decision)
            return replace(state, media={**state.media, event.media_id: reviewed})
        case ev.VisitPresence():
            visit = state.visits.get(event.visit_id)
            if visit is None:
                return state
            if event.act == "check_in":
                checked = replace(visit, check_in=event.location, checked_in_at=event.at)
            else:
                checked = replace(visit, checked_out_at=event.at)
            return replace(state, visits={**state.visits, event.visit_id: checked})
        case ev.SitePinned():
            return replace(state, site=event.location)
        case ev.MediaDetached():
            return replace(
                state, media={k: v for k, v in state.media.items() if k != event.media_id}
            )
        case ev.VisitRecorded():
            prior = state.visits.get(event.visit_id)
            # Booked once: a move keeps the booking's time (and the check-in, if any). A v1
            # event has no booked_at: its first record's own time stands in.
            booked_at = prior.booked_at if prior else (event.booked_at or at)
            visit = Visit(
                event.kind,
                event.task_id,
                event.status,
                event.assignee_id,
                event.starts_at,
                event.ends_at,
                booked_at,
                prior.check_in if prior else None,
                prior.checked_in_at if prior else None,
                prior.checked_out_at if prior else None,
            )
            return replace(state, visits={**state.visits, event.visit_id: visit})
        case ev.TaskDone():
            done = DoneTask(event.kind, event.visit_id, event.results)
            return replace(state, done_tasks={**state.done_tasks, event.task_id: done})
    return state

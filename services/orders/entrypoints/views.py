"""How an order looks on the wire (the orders service's own, unfiltered view; the gateway
removes what a role may not see)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from contracts.events import registry
from services.orders.application.ports import StoredEvent
from services.orders.domain.gates import VISIT_PHOTO_PURPOSES, radius_for, unmet
from services.orders.domain.history import Causes, index_causes, summarize, who
from services.orders.domain.model import Media, Order
from services.orders.domain.pipeline import Pipeline
from services.orders.domain.site_photos import judge


def _site_check(order: Order, pipeline: Pipeline, media_id: UUID, media: Media) -> dict[str, Any]:
    """A photo of a visit's purpose says how the photo rules judge it (the card flags
    «не подтверждено на объекте» from `site_check`)."""
    if media.kind != "photo" or media.purpose not in VISIT_PHOTO_PURPOSES:
        return {}
    verdict = judge(order, media_id, media, media.purpose, radius_for(pipeline, media.purpose))
    return {
        "site_check": verdict.reason,
        "visit_id": str(media.visit_id) if media.visit_id else None,
    }


def card(order: Order, pipeline: Pipeline, lang: str = "ru") -> dict[str, Any]:
    assert order.id is not None
    assert order.customer is not None
    blocking = [] if pipeline.is_terminal(order.stage) else unmet(pipeline, order)
    media = [
        {
            "media_id": str(k),
            "kind": m.kind,
            "purpose": m.purpose,
            "filename": m.filename,
            **_site_check(order, pipeline, k, m),
        }
        for k, m in order.media.items()
    ]
    out: dict[str, Any] = {
        "id": str(order.id),
        "number": order.number,
        "title": order.title,
        "stage": order.stage,
        "stage_title": pipeline.title(order.stage, lang),
        "stage_entered_at": order.stage_entered_at,
        "version": order.version,
        "pipeline_version": order.pipeline_version,
        "customer": {
            **order.customer.model_dump(mode="json"),
            "address_text": order.customer.address.one_line(),
        },
        "description": order.description,
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "sms_consent": None
        if order.sms_consent is None
        else {
            "consent": order.sms_consent.given,
            "by": {
                "id": str(order.sms_consent.by),
                "display_name": order.sms_consent.by_username,
            }
            if order.sms_consent.by
            else None,
            "at": order.sms_consent.at,
        },
        "manager": {"id": order.manager_id} if order.manager_id else None,
        "documents": [m for m in media if m["kind"] == "document"],
        "photos": [m for m in media if m["kind"] == "photo"],
        "visits": [
            {
                "visit_id": str(k),
                "kind": v.kind,
                "status": v.status,
                "task_id": str(v.task_id),
                "assignee_id": str(v.assignee_id),
                "starts_at": v.starts_at,
                "ends_at": v.ends_at,
                "checked_in_at": v.checked_in_at,
                "checked_out_at": v.checked_out_at,
            }
            for k, v in order.visits.items()
        ],
        "tasks": [
            {
                "id": str(k),
                "kind": t.kind,
                "status": "done",
                "visit_id": str(t.visit_id) if t.visit_id else None,
                "results": t.results.model_dump(mode="json") if t.results else None,
            }
            for k, t in order.done_tasks.items()
        ],
        "production_finished": order.production_finished,
        "site": order.site.model_dump() if order.site else None,
        "gate": {
            "stage": order.stage,
            # kind and params say what a condition is about: the gateway decides from them
            # which conditions a role may be shown (gateway/domain/visibility.py).
            "unmet": [
                {
                    "code": c.code,
                    "message": c.message_ru if lang == "ru" else c.message_en,
                    "kind": c.kind,
                    "params": dict(c.params),
                }
                for c in blocking
            ],
        },
        "next_stages": list(pipeline.forward.get(order.stage, ())),
    }
    if order.deal is not None:
        out["deal"] = {
            "amount": str(order.deal.amount),
            "decor": order.deal.decor,
            "finishing": order.deal.finishing,
            "extra_work": order.deal.extra_work,
            "payment_terms": order.deal.payment_terms,
        }
    return out


def history_entry(
    stored: StoredEvent, pipeline: Pipeline, lang: str = "ru", causes: Causes | None = None
) -> dict[str, Any]:
    """One entry of an order's history; `pipeline` is the order's version (its titles),
    `causes` its events by id (index_causes), so a robot's line can say what it reacted to."""
    env = stored.envelope
    event = registry.decode(env)
    return {
        "event_id": str(env.event_id),
        "type": env.type,
        "at": env.occurred_at,
        "version": env.stream_version,
        "actor": {**env.actor.model_dump(mode="json"), "name": who(env.actor, lang)},
        "caused_by": env.causation_id,
        "summary": summarize(event, pipeline, lang, causes),
        "data": env.data,
    }


def history(
    events: Sequence[StoredEvent], pipeline: Pipeline, lang: str = "ru"
) -> list[dict[str, Any]]:
    """The order's whole history: each robot's cause is looked up in the same stream."""
    causes = index_causes((e.envelope.event_id, registry.decode(e.envelope)) for e in events)
    return [history_entry(e, pipeline, lang, causes) for e in events]

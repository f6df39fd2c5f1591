"""HTTP routes for visits: book, move, reassign, cancel."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from contracts.api.common import When
from contracts.events.common import VisitKind
from plumbing.actor import CurrentActor
from services.scheduling.adapters import presence_store, visit_store
from services.scheduling.application.order_access import require_order
from services.scheduling.entrypoints.deps import PresenceDep, VisitsDep, require

router = APIRouter()


class BookVisit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: VisitKind
    assignee_id: UUID
    starts_at: When
    ends_at: When
    note: str | None = Field(default=None, max_length=2000)


class OnSite(BaseModel):
    """A check-in or check-out: the phone's position and (if sent later) its time."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    at: When | None = None


class ChangeVisit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: When | None = None
    ends_at: When | None = None
    assignee_id: UUID | None = None
    cancelled: StrictBool = False
    reason: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=2000)  # "" clears it


@router.post("/orders/{order_id}/visits", status_code=201)
async def book_visit(
    order_id: UUID,
    body: BookVisit,
    actor: CurrentActor,
    visits: VisitsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    require(actor, "visits.book")
    booked = await visits.book(
        order_id,
        body.kind,
        body.assignee_id,
        body.starts_at,
        body.ends_at,
        actor,
        idempotency_key=idempotency_key,
        note=body.note,
    )
    # 200 for the same key again, as POST /orders answers: the visit is the one booked then.
    return JSONResponse(
        {"visit_id": str(booked.visit_id), "task_id": str(booked.task_id)},
        status_code=200 if booked.replayed else 201,
    )


@router.get("/orders/{order_id}/visits")
async def order_visits(
    order_id: UUID, actor: CurrentActor, visits: VisitsDep
) -> list[dict[str, Any]]:
    await require_order(visits.pool, actor, order_id)
    found = await visit_store.of_order(visits.pool, order_id)
    times = await presence_store.times_of_order(visits.pool, order_id)
    # Additive (issue 15): checked_in_at / checked_out_at once the assignee did so.
    return [{**v, **times.get(UUID(v["id"]), {})} for v in found]


@router.patch("/visits/{visit_id}")
async def change_visit(
    visit_id: UUID, body: ChangeVisit, actor: CurrentActor, visits: VisitsDep
) -> dict[str, object]:
    require(actor, "visits.book")
    return await visits.change(
        visit_id,
        actor,
        start=body.starts_at,
        end=body.ends_at,
        assignee_id=body.assignee_id,
        cancelled=body.cancelled,
        reason=body.reason,
        expected_version=body.expected_version,
        note=body.note,
    )


async def _on_site(
    act: str,
    visit_id: UUID,
    body: OnSite,
    actor: CurrentActor,
    presence: PresenceDep,
    idempotency_key: str | None,
) -> JSONResponse:
    found, replayed = await presence.record(
        visit_id,
        "check_in" if act == "check_in" else "check_out",
        actor,
        lat=body.lat,
        lon=body.lon,
        accuracy_m=body.accuracy_m,
        at=body.at,
        idempotency_key=idempotency_key,
    )
    return JSONResponse(found, status_code=200 if replayed else 201)


@router.post("/visits/{visit_id}/check-in", status_code=201)
async def check_in(
    visit_id: UUID,
    body: OnSite,
    actor: CurrentActor,
    presence: PresenceDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    return await _on_site("check_in", visit_id, body, actor, presence, idempotency_key)


@router.post("/visits/{visit_id}/check-out", status_code=201)
async def check_out(
    visit_id: UUID,
    body: OnSite,
    actor: CurrentActor,
    presence: PresenceDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    return await _on_site("check_out", visit_id, body, actor, presence, idempotency_key)

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
from services.scheduling.adapters import visit_store
from services.scheduling.application.order_access import require_order
from services.scheduling.entrypoints.deps import VisitsDep, require

router = APIRouter()


class BookVisit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: VisitKind
    assignee_id: UUID
    starts_at: When
    ends_at: When
    note: str | None = Field(default=None, max_length=2000)


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
    return await visit_store.of_order(visits.pool, order_id)


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

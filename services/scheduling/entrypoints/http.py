"""HTTP routes of the scheduling service: crew and their calendars."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.api.common import When
from plumbing.actor import CurrentActor
from plumbing.errors import NotFound
from plumbing.state import PoolDep
from services.scheduling.adapters.crew_store import list_members, member_to_api
from services.scheduling.application.order_access import viewer_of
from services.scheduling.domain.access import may_see_schedule
from services.scheduling.domain.calendar import Schedule
from services.scheduling.domain.crew import Absence
from services.scheduling.entrypoints.deps import CrewDep, require

router = APIRouter()


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: When
    ends_at: When
    reason: str | None = Field(default=None, max_length=200)


class CrewUpdate(BaseModel):
    """PUT: each field given replaces the stored one; a field left out is kept."""

    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(default=None, max_length=64)
    working_hours: dict[str, list[str] | None] | None = None
    days_off: list[date] | None = Field(default=None, max_length=366)
    absences: list[AbsenceIn] | None = Field(default=None, max_length=200)


@router.get("/crew")
async def crew(pool: PoolDep, role: str | None = None) -> list[dict[str, Any]]:
    return await list_members(pool, role)


# Before /crew/{member_id}, which would take "calendar" for a member's id.
@router.get("/crew/calendar")
async def crew_calendar(
    actor: CurrentActor,
    service: CrewDep,
    start: Annotated[When, Query(alias="from")],
    end: Annotated[When, Query(alias="to")],
    role: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """`[{member, busy, free}]`: every active member of `role` (all crew without it), each
    with what GET /crew/{id}/schedule answers for them. It names everyone's orders, so only
    those who read anyone's calendar may ask."""
    require(actor, "calendars.read_any")
    found = await service.calendar(role, start, end)
    return [{"member": member_to_api(m.member), **schedule_out(m.schedule)} for m in found]


@router.get("/crew/load")
async def crew_load(actor: CurrentActor, service: CrewDep, day: date) -> list[dict[str, Any]]:
    """`[{member, booked_hours, working_hours, over}]` for every active crew member on `day`
    (the company's calendar): booked = visits with the travel after each, working = their
    hours less absences. The directors' morning summary (notifications) asks for tomorrow."""
    require(actor, "calendars.read_any")
    return [
        {
            "member": member_to_api(m.member),
            "booked_hours": round(m.load.booked.total_seconds() / 3600, 2),
            "working_hours": round(m.load.working.total_seconds() / 3600, 2),
            "over": m.load.over,
        }
        for m in await service.load(day)
    ]


@router.get("/crew/{member_id}")
async def crew_member(member_id: UUID, service: CrewDep) -> dict[str, Any]:
    return member_to_api(await service.get(member_id))


@router.put("/crew/{member_id}")
async def update_crew_member(
    member_id: UUID, body: CrewUpdate, actor: CurrentActor, service: CrewDep
) -> dict[str, Any]:
    require(actor, "crew.edit")
    absences = (
        [Absence(a.starts_at, a.ends_at, a.reason) for a in body.absences]
        if body.absences is not None
        else None
    )
    return await service.update(
        member_id,
        timezone=body.timezone,
        working_hours=body.working_hours,
        days_off=body.days_off,
        absences=absences,
    )


@router.get("/crew/{member_id}/schedule")
async def crew_schedule(
    member_id: UUID,
    actor: CurrentActor,
    service: CrewDep,
    start: Annotated[When, Query(alias="from")],
    end: Annotated[When, Query(alias="to")],
) -> dict[str, Any]:
    if not may_see_schedule(viewer_of(actor), member_id):
        raise NotFound(f"crew member {member_id} not found", code="unknown_member")
    return schedule_out(await service.schedule(member_id, start, end))


def schedule_out(found: Schedule) -> dict[str, Any]:
    """A schedule as the API shows it (contracts/api/scheduling.py, Schedule)."""
    return {
        "busy": [
            {
                "starts_at": b.start.isoformat(),
                "ends_at": b.end.isoformat(),
                "kind": b.kind,
                **({"order_id": str(b.order_id)} if b.order_id else {}),
                **({"visit_id": str(b.visit_id)} if b.visit_id else {}),
                **({"visit_version": b.visit_version} if b.visit_version is not None else {}),
            }
            for b in found.busy
        ],
        "free": [
            {"starts_at": f.start.isoformat(), "ends_at": f.end.isoformat()} for f in found.free
        ],
    }

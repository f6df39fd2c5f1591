"""Crew calendars: editing a member's hours and absences, and reading their schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.errors import Invalid, NotFound
from services.scheduling.adapters import crew_store, visit_store
from services.scheduling.domain.calendar import Schedule, schedule
from services.scheduling.domain.crew import (
    Absence,
    CrewMember,
    check_absences,
    check_timezone,
    parse_hours,
)

MAX_RANGE = timedelta(days=62)


class Crew:
    def __init__(self, pool: asyncpg.Pool, buffer: timedelta) -> None:
        self.pool = pool
        self.buffer = buffer

    async def get(self, member_id: UUID) -> CrewMember:
        member = await crew_store.get_member(self.pool, member_id)
        if member is None:
            raise NotFound(f"crew member {member_id} not found", code="unknown_member")
        return member

    async def update(
        self,
        member_id: UUID,
        *,
        timezone: str | None,
        working_hours: dict[str, list[str] | None] | None,
        days_off: list[date] | None,
        absences: list[Absence] | None,
    ) -> dict[str, Any]:
        async with self.pool.acquire() as conn, conn.transaction():
            member = await crew_store.get_member(conn, member_id)
            if member is None:
                raise NotFound(f"crew member {member_id} not found", code="unknown_member")
            changed = replace(
                member,
                timezone=check_timezone(timezone) if timezone else member.timezone,
                working_hours=(
                    member.working_hours if working_hours is None else parse_hours(working_hours)
                ),
                days_off=frozenset(days_off) if days_off is not None else member.days_off,
                absences=check_absences(absences) if absences is not None else member.absences,
            )
            await crew_store.save_member(conn, changed)
        return crew_store.member_to_api(changed)

    async def schedule(self, member_id: UUID, start: datetime, end: datetime) -> Schedule:
        if end <= start:
            raise Invalid("to must be after from", code="invalid_range")
        if end - start > MAX_RANGE:
            raise Invalid("a schedule covers at most 62 days", code="range_too_long")
        member = await self.get(member_id)
        visits = await visit_store.of_member(self.pool, member_id, start, end, self.buffer)
        return schedule(member, visits, start, end, self.buffer)

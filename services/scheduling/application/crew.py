"""Crew calendars: editing a member's hours and absences, and reading their schedule."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from plumbing.errors import NotFound
from services.scheduling.adapters import crew_store, visit_store
from services.scheduling.domain.calendar import DayLoad, Schedule, check_window, day_load, schedule
from services.scheduling.domain.crew import (
    Absence,
    CrewMember,
    check_absences,
    check_timezone,
    parse_hours,
)

MAX_RANGE = timedelta(days=62)
# A whole role's calendar at once: a month at most (the web's week and month views).
MAX_CALENDAR_RANGE = timedelta(days=31)


@dataclass(frozen=True)
class MemberSchedule:
    member: CrewMember
    schedule: Schedule


@dataclass(frozen=True)
class MemberLoad:
    member: CrewMember
    load: DayLoad


class Crew:
    def __init__(self, pool: asyncpg.Pool, buffer: timedelta, company_timezone: str) -> None:
        self.pool = pool
        self.buffer = buffer
        self.zone = ZoneInfo(company_timezone)

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
        check_window(start, end, MAX_RANGE)
        member = await self.get(member_id)
        visits = await visit_store.of_member(self.pool, member_id, start, end, self.buffer)
        return schedule(member, visits, start, end, self.buffer)

    async def calendar(
        self, role: str | None, start: datetime, end: datetime
    ) -> list[MemberSchedule]:
        """Every active member of `role` (all crew when None) with their schedule in
        [start, end): two queries (the members, then all their visits), then each member's
        schedule exactly as `schedule` computes it for them alone."""
        check_window(start, end, MAX_CALENDAR_RANGE)
        crew = await crew_store.members(self.pool, role)
        visits = await visit_store.of_members(
            self.pool, [UUID(m.id) for m in crew], start, end, self.buffer
        )
        return [
            MemberSchedule(m, schedule(m, visits.get(UUID(m.id), []), start, end, self.buffer))
            for m in crew
        ]

    async def load(self, day: date) -> list[MemberLoad]:
        """Every active crew member's load on `day` of the company's calendar (the directors'
        morning summary asks for tomorrow's)."""
        start = datetime.combine(day, time(), tzinfo=self.zone)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=self.zone)
        crew = await crew_store.members(self.pool, None)
        visits = await visit_store.of_members(
            self.pool, [UUID(m.id) for m in crew], start, end, self.buffer
        )
        return [
            MemberLoad(m, day_load(m, visits.get(UUID(m.id), []), start, end, self.buffer))
            for m in crew
        ]

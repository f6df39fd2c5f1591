"""The crew table, kept from identity events (a crew member's id is their user id)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from contracts.roles import CREW_ROLES
from plumbing.db import Conn
from services.scheduling.domain.crew import (
    DEFAULT_HOURS,
    DEFAULT_TIMEZONE,
    CrewMember,
    absences_from_json,
    absences_to_json,
    hours_from_json,
    hours_to_api,
    hours_to_json,
)

CREW_DDL = """
CREATE TABLE IF NOT EXISTS crew_members (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    timezone      text NOT NULL,
    working_hours jsonb NOT NULL
);
"""
_COLUMNS = (
    "id::text, username, display_name, role, active, timezone, working_hours, days_off, absences"
)


async def upsert_member(conn: Conn, data: dict[str, Any]) -> None:
    # Working hours and time zone are scheduling's own data: an identity update never resets them.
    await conn.execute(
        "INSERT INTO crew_members (id, username, display_name, role, active, timezone, "
        "working_hours) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE "
        "SET username = $2, display_name = $3, role = $4, active = $5",
        data["user_id"],
        data["username"],
        data["display_name"],
        data["role"],
        data.get("active", True),
        DEFAULT_TIMEZONE,
        hours_to_json(DEFAULT_HOURS),
    )


def _member(row: asyncpg.Record) -> CrewMember:
    return CrewMember(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        active=row["active"],
        timezone=row["timezone"],
        working_hours=hours_from_json(row["working_hours"]),
        days_off=frozenset(date.fromisoformat(d) for d in row["days_off"]),
        absences=absences_from_json(row["absences"]),
    )


def member_to_api(m: CrewMember) -> dict[str, Any]:
    return {
        "id": m.id,
        "username": m.username,
        "display_name": m.display_name,
        "role": m.role,
        "timezone": m.timezone,
        "working_hours": hours_to_api(m.working_hours),
        "days_off": sorted(d.isoformat() for d in m.days_off),
        "absences": absences_to_json(m.absences),
    }


async def get_member(conn: Conn | asyncpg.Pool, member_id: UUID) -> CrewMember | None:
    """A crew member (a user with a crew role), active or not; None for anyone else."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM crew_members WHERE id = $1 AND role = ANY($2::text[])",
        member_id,
        sorted(CREW_ROLES),
    )
    return _member(row) if row else None


async def save_member(conn: Conn, m: CrewMember) -> None:
    await conn.execute(
        "UPDATE crew_members SET timezone = $2, working_hours = $3, days_off = $4, "
        "absences = $5 WHERE id = $1::uuid",
        m.id,
        m.timezone,
        hours_to_json(m.working_hours),
        sorted(d.isoformat() for d in m.days_off),
        absences_to_json(m.absences),
    )


async def members(pool: asyncpg.Pool, role: str | None) -> list[CrewMember]:
    """The active crew (of `role`, when given), by display name."""
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM crew_members "
        "WHERE active AND role = ANY($1::text[]) AND ($2::text IS NULL OR role = $2) "
        "ORDER BY display_name",
        sorted(CREW_ROLES),
        role,
    )
    return [_member(r) for r in rows]


async def list_members(pool: asyncpg.Pool, role: str | None) -> list[dict[str, Any]]:
    return [member_to_api(m) for m in await members(pool, role)]

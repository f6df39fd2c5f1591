"""The crew table, kept from identity events (a crew member's id is their user id)."""

from __future__ import annotations

from typing import Any

import asyncpg

from plumbing.db import Conn
from services.scheduling.domain.crew import DEFAULT_HOURS, DEFAULT_TIMEZONE, hours_to_json

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


async def list_members(pool: asyncpg.Pool, role: str | None) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT id::text, username, display_name, role, timezone, working_hours FROM crew_members "
        "WHERE active AND role = ANY($1::text[]) AND ($2::text IS NULL OR role = $2) "
        "ORDER BY display_name",
        ["measurer", "installer", "delivery", "production"],
        role,
    )
    return [dict(r) for r in rows]

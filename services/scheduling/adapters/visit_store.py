"""Visits in PostgreSQL. Double booking is refused by the `visits_no_overlap` exclusion
constraint (adapters/tables.py); this module turns its violation into `SlotTaken`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.db import Conn
from services.scheduling.domain.calendar import BookedVisit


@dataclass(frozen=True)
class Visit:
    id: UUID
    order_id: UUID
    kind: str
    assignee_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: str
    task_id: UUID
    version: int
    note: str | None = None


class SlotTaken(Exception):
    """The exclusion constraint refused the write: the member is busy then."""


_COLUMNS = "id, order_id, kind, assignee_id, starts_at, ends_at, status, task_id, version, note"

# Migration step 10 (append-only): the manager's note for the crew, kept with the visit.
VISIT_NOTE_DDL = "ALTER TABLE visits ADD COLUMN IF NOT EXISTS note text;"


@asynccontextmanager
async def refused_overlap() -> AsyncIterator[None]:
    try:
        yield
    except asyncpg.ExclusionViolationError:
        raise SlotTaken from None


async def insert(
    conn: Conn,
    visit_id: UUID,
    order_id: UUID,
    kind: str,
    assignee_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    buffer: timedelta,
    task_id: UUID,
) -> None:
    # The blocked range carries the travel buffer after the visit; see domain/calendar.py.
    async with refused_overlap():
        await conn.execute(
            "INSERT INTO visits (id, order_id, kind, assignee_id, starts_at, ends_at, blocked, "
            "task_id) VALUES ($1, $2, $3, $4, $5, $6, "
            "tstzrange($5, $6::timestamptz + $7::interval), $8)",
            visit_id,
            order_id,
            kind,
            assignee_id,
            starts_at,
            ends_at,
            buffer,
            task_id,
        )


async def move(
    conn: Conn,
    visit_id: UUID,
    assignee_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    buffer: timedelta,
) -> int:
    async with refused_overlap():
        version = await conn.fetchval(
            "UPDATE visits SET assignee_id = $2, starts_at = $3, ends_at = $4, "
            "blocked = tstzrange($3, $4::timestamptz + $5::interval), version = version + 1 "
            "WHERE id = $1 RETURNING version",
            visit_id,
            assignee_id,
            starts_at,
            ends_at,
            buffer,
        )
    return int(version)


async def set_note(conn: Conn, visit_id: UUID, note: str | None) -> None:
    await conn.execute("UPDATE visits SET note = $2 WHERE id = $1", visit_id, note)


async def set_status(conn: Conn, visit_id: UUID, status: str) -> int:
    version = await conn.fetchval(
        "UPDATE visits SET status = $2, version = version + 1 WHERE id = $1 RETURNING version",
        visit_id,
        status,
    )
    return int(version)


async def get(conn: Conn | asyncpg.Pool, visit_id: UUID) -> Visit | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM visits WHERE id = $1", visit_id)
    return Visit(**dict(row)) if row else None


async def get_for_update(conn: Conn, visit_id: UUID) -> Visit | None:
    # Row lock: a concurrent PATCH of the same visit waits and then sees our result.
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM visits WHERE id = $1 FOR UPDATE", visit_id)
    return Visit(**dict(row)) if row else None


async def overlapping(
    conn: Conn | asyncpg.Pool,
    assignee_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    buffer: timedelta,
    exclude: UUID | None = None,
) -> list[dict[str, Any]]:
    """The active visits a booking of [starts_at, ends_at) collides with (for the 409 body)."""
    rows = await conn.fetch(
        "SELECT id::text AS visit_id, order_id::text, kind, starts_at, ends_at FROM visits "
        "WHERE assignee_id = $1 AND status <> 'cancelled' AND id IS DISTINCT FROM $5 "
        "AND blocked && tstzrange($2, $3::timestamptz + $4::interval) ORDER BY starts_at",
        assignee_id,
        starts_at,
        ends_at,
        buffer,
        exclude,
    )
    return [
        {**dict(r), "starts_at": r["starts_at"].isoformat(), "ends_at": r["ends_at"].isoformat()}
        for r in rows
    ]


async def of_member(
    conn: Conn | asyncpg.Pool,
    assignee_id: UUID,
    start: datetime,
    end: datetime,
    buffer: timedelta,
) -> list[BookedVisit]:
    """Active visits whose travel-padded span [start - buffer, end + buffer) meets the range."""
    found = await of_members(conn, [assignee_id], start, end, buffer)
    return found.get(assignee_id, [])


async def of_members(
    conn: Conn | asyncpg.Pool,
    assignee_ids: Sequence[UUID],
    start: datetime,
    end: datetime,
    buffer: timedelta,
) -> dict[UUID, list[BookedVisit]]:
    """of_member for several members at once, in one query: a crew calendar's visits."""
    rows = await conn.fetch(
        "SELECT id, order_id, kind, starts_at, ends_at, version, assignee_id FROM visits "
        "WHERE assignee_id = ANY($1::uuid[]) AND status <> 'cancelled' "
        "AND blocked && tstzrange($2::timestamptz - $4::interval, $3::timestamptz + $4::interval)",
        list(assignee_ids),
        start,
        end,
        buffer,
    )
    found: dict[UUID, list[BookedVisit]] = {}
    for r in rows:
        found.setdefault(r["assignee_id"], []).append(
            BookedVisit(
                r["id"], r["order_id"], r["kind"], r["starts_at"], r["ends_at"], r["version"]
            )
        )
    return found


async def of_order(conn: Conn | asyncpg.Pool, order_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM visits WHERE order_id = $1 ORDER BY starts_at", order_id
    )
    return [visit_to_api(Visit(**dict(r))) for r in rows]


def visit_to_api(v: Visit) -> dict[str, Any]:
    return {
        "id": str(v.id),
        "order_id": str(v.order_id),
        "kind": v.kind,
        "assignee_id": str(v.assignee_id),
        "starts_at": v.starts_at.isoformat(),
        "ends_at": v.ends_at.isoformat(),
        "status": v.status,
        "task_id": str(v.task_id),
        "version": v.version,
        "note": v.note,
    }


async def booked_of_order(conn: Conn, order_id: UUID) -> list[Visit]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM visits WHERE order_id = $1 AND status = 'booked' FOR UPDATE",
        order_id,
    )
    return [Visit(**dict(r)) for r in rows]

"""Check-ins and check-outs in PostgreSQL (migration step 8; steps are append-only).

One row per (visit, act): the primary key is what makes a second check-in of a visit
impossible even for two requests racing. The Idempotency-Key is unique per person, so a key
reused for another act or another visit is found and refused, not silently answered.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.db import Conn
from services.scheduling.domain.presence import Act, Mark, VisitOnSite

PRESENCE_DDL = """
-- When a visit was booked: a check-in (or a photo) is believed only after it. Rows booked
-- before this step keep NULL (unknown), and the rules then skip that check.
ALTER TABLE visits ADD COLUMN IF NOT EXISTS booked_at timestamptz;
ALTER TABLE visits ALTER COLUMN booked_at SET DEFAULT now();

CREATE TABLE IF NOT EXISTS visit_presence (
    visit_id        uuid NOT NULL REFERENCES visits (id),
    act             text NOT NULL CHECK (act IN ('check_in', 'check_out')),
    assignee_id     uuid NOT NULL,
    at              timestamptz NOT NULL,
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    accuracy_m      double precision,
    recorded_at     timestamptz NOT NULL,
    idempotency_key text,
    request         jsonb NOT NULL,
    PRIMARY KEY (visit_id, act)
);
CREATE UNIQUE INDEX IF NOT EXISTS visit_presence_key
    ON visit_presence (assignee_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
"""


async def visit_on_site(
    conn: Conn | asyncpg.Pool, visit_id: UUID, *, lock: bool = False
) -> VisitOnSite | None:
    row = await conn.fetchrow(
        "SELECT id, assignee_id, status, booked_at FROM visits WHERE id = $1"
        + (" FOR UPDATE" if lock else ""),
        visit_id,
    )
    if row is None:
        return None
    marks: dict[str, Mark] = {}
    for r in await conn.fetch(
        "SELECT act, at, lat, lon, accuracy_m FROM visit_presence WHERE visit_id = $1", visit_id
    ):
        marks[r["act"]] = Mark(r["at"], r["lat"], r["lon"], r["accuracy_m"])
    return VisitOnSite(
        visit_id=row["id"],
        assignee_id=row["assignee_id"],
        status=row["status"],
        booked_at=row["booked_at"],
        check_in=marks.get("check_in"),
        check_out=marks.get("check_out"),
    )


async def by_key(conn: Conn | asyncpg.Pool, assignee_id: UUID, key: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT visit_id, act, request FROM visit_presence"
        " WHERE assignee_id = $1 AND idempotency_key = $2",
        assignee_id,
        key,
    )
    if row is None:
        return None
    return {"visit_id": row["visit_id"], "act": row["act"], "request": json.loads(row["request"])}


async def insert(
    conn: Conn,
    visit_id: UUID,
    act: Act,
    assignee_id: UUID,
    mark: Mark,
    recorded_at: datetime,
    key: str | None,
    request: dict[str, Any],
) -> None:
    await conn.execute(
        "INSERT INTO visit_presence (visit_id, act, assignee_id, at, lat, lon, accuracy_m,"
        " recorded_at, idempotency_key, request) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        visit_id,
        act,
        assignee_id,
        mark.at,
        mark.lat,
        mark.lon,
        mark.accuracy_m,
        recorded_at,
        key,
        json.dumps(request),
    )


def _mark_to_api(mark: Mark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {
        "at": mark.at.isoformat(),
        "lat": mark.lat,
        "lon": mark.lon,
        "accuracy_m": mark.accuracy_m,
    }


def presence_to_api(visit: VisitOnSite) -> dict[str, Any]:
    return {
        "visit_id": str(visit.visit_id),
        "check_in": _mark_to_api(visit.check_in),
        "check_out": _mark_to_api(visit.check_out),
    }


async def times_of_order(conn: Conn | asyncpg.Pool, order_id: UUID) -> dict[UUID, dict[str, str]]:
    """Each visit's checked-in/out times (for the order's visit list)."""
    rows = await conn.fetch(
        "SELECT p.visit_id, p.act, p.at FROM visit_presence p"
        " JOIN visits v ON v.id = p.visit_id WHERE v.order_id = $1",
        order_id,
    )
    found: dict[UUID, dict[str, str]] = {}
    for r in rows:
        field = "checked_in_at" if r["act"] == "check_in" else "checked_out_at"
        found.setdefault(r["visit_id"], {})[field] = r["at"].isoformat()
    return found

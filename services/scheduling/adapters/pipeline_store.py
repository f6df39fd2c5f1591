"""Pipeline versions as scheduling heard of them (`orders.PipelinePublished`), and the step
that makes stage limits the pipeline's (migration step 7; steps are append-only).

A version arrives on its own partition (key "pipeline"), so an order of version N may be
known here before version N is: nothing reads a version at the moment an order event is
applied and then forgets; limits and production's view join these tables when they are
asked (timer claims, task lists), so a version that arrives late takes effect then.
"""

from __future__ import annotations

import asyncpg

from contracts.pipeline import PipelineDefinition
from plumbing.db import Conn

PIPELINES_DDL = """
CREATE TABLE IF NOT EXISTS pipelines (
    version    int PRIMARY KEY,
    definition jsonb NOT NULL
);
-- One row per stage of each version, for joins: the limit, and production's view as
-- PipelineDefinition.production_sees decided it when the version arrived.
CREATE TABLE IF NOT EXISTS pipeline_stages (
    version         int NOT NULL REFERENCES pipelines (version),
    key             text NOT NULL,
    limit_hours     double precision CHECK (limit_hours > 0),
    production_sees boolean NOT NULL,
    PRIMARY KEY (version, key)
);

-- Stage limits belong to the pipeline now: the separate table goes, and a timer's due time
-- is the limit of its order's version, resolved when timers are claimed.
DROP TABLE IF EXISTS stage_limits;
DROP INDEX IF EXISTS stage_timers_due;
ALTER TABLE stage_timers DROP COLUMN IF EXISTS due_at;
CREATE INDEX IF NOT EXISTS stage_timers_pending ON stage_timers (entered_at)
    WHERE status = 'pending';
"""


async def publish(conn: Conn, version: int, definition: PipelineDefinition) -> None:
    """A version never changes once published: a second delivery adds nothing."""
    inserted = await conn.fetchval(
        "INSERT INTO pipelines (version, definition) VALUES ($1, $2) "
        "ON CONFLICT (version) DO NOTHING RETURNING true",
        version,
        definition.model_dump(mode="json"),
    )
    if not inserted:
        return
    await conn.executemany(
        "INSERT INTO pipeline_stages (version, key, limit_hours, production_sees) "
        "VALUES ($1, $2, $3, $4)",
        [
            (version, s.key, s.limit_hours, definition.production_sees(s.key))
            for s in definition.stages
        ],
    )


async def get(conn: Conn | asyncpg.Pool, version: int) -> PipelineDefinition | None:
    found = await conn.fetchval("SELECT definition FROM pipelines WHERE version = $1", version)
    return None if found is None else PipelineDefinition.model_validate(found)


async def stage_keys(conn: Conn | asyncpg.Pool) -> frozenset[str]:
    """Every stage of every published version: what a robot rule may name."""
    rows = await conn.fetch("SELECT DISTINCT key FROM pipeline_stages")
    return frozenset(r["key"] for r in rows)


async def has_limit(conn: Conn, version: int, stage: str) -> bool | None:
    """Whether the stage has a limit in that version; None while the version is unknown."""
    row = await conn.fetchrow(
        "SELECT EXISTS (SELECT 1 FROM pipeline_stages s WHERE s.version = p.version "
        "AND s.key = $2 AND s.limit_hours IS NOT NULL) AS limited "
        "FROM pipelines p WHERE p.version = $1",
        version,
        stage,
    )
    return None if row is None else bool(row["limited"])

"""The pipeline versions heard of (orders.PipelinePublished), one row per stage of each.

A version never changes once published, so recording one is insert-if-absent: a redelivery,
or the orders service publishing every stored version again at an upgrade, changes nothing.
What production sees is decided here, once per stage, by the contract's own rule
(`PipelineDefinition.production_sees`), so SQL can filter the board and answer access by a
join instead of a list of stage names.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg

from contracts.pipeline import PipelineDefinition
from plumbing.db import Conn
from services.projections.domain.forecast import PlanStage, optional_stages
from services.projections.domain.pipelines import KnownStage, Pipelines

# A card's stage as its own pipeline version sees it (`c` is a board_cards row): false while
# that version has not arrived, so production's view fails closed for that moment.
PRODUCTION_SEES = (
    "EXISTS (SELECT 1 FROM pipeline_stages ps WHERE ps.version = c.pipeline_version "
    "AND ps.key = c.stage AND ps.production_sees)"
)


STAGE_COLUMNS = (
    "version",
    "position",
    "key",
    "title_ru",
    "title_en",
    "limit_hours",
    "terminal",
    "production_sees",
    "optional",
)


def stage_rows(version: int, definition: PipelineDefinition) -> list[tuple[Any, ...]]:
    """The version's pipeline_stages rows (STAGE_COLUMNS), for the live insert and a rebuild's
    load alike."""
    optional = optional_stages(definition.keys(), definition.forward)
    return [
        (
            version,
            position,
            stage.key,
            stage.title_ru,
            stage.title_en,
            stage.limit_hours,
            stage.terminal,
            definition.production_sees(stage.key),
            stage.key in optional,
        )
        for position, stage in enumerate(definition.stages, start=1)
    ]


async def record(conn: Conn, version: int, definition: PipelineDefinition) -> None:
    await conn.executemany(
        "INSERT INTO pipeline_stages (version, position, key, title_ru, title_en, limit_hours, "
        "terminal, production_sees, optional) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (version, key) DO NOTHING",
        stage_rows(version, definition),
    )


async def load(conn: Conn | asyncpg.Pool) -> Pipelines:
    """Every known version (a handful of rows each: read whole, per request)."""
    rows = await conn.fetch(
        "SELECT version, key, title_ru, title_en FROM pipeline_stages ORDER BY version, position"
    )
    versions: dict[int, list[KnownStage]] = defaultdict(list)
    for r in rows:
        versions[r["version"]].append(KnownStage(r["key"], r["title_ru"], r["title_en"]))
    return Pipelines(dict(versions))


async def open_orders_by_version(conn: Conn | asyncpg.Pool) -> dict[int, int]:
    """Open orders (a stage that is not terminal in the order's own version) per pipeline
    version: what stays on an old version when a new one is published. A card whose version
    has not arrived yet counts as open (its stage is not known to be terminal)."""
    rows = await conn.fetch(
        "SELECT c.pipeline_version AS version, count(*) AS open FROM board_cards c "
        "WHERE NOT EXISTS (SELECT 1 FROM pipeline_stages ps WHERE ps.version = "
        "c.pipeline_version AND ps.key = c.stage AND ps.terminal) "
        "GROUP BY c.pipeline_version ORDER BY c.pipeline_version"
    )
    return {r["version"]: r["open"] for r in rows}


async def plans(conn: Conn | asyncpg.Pool) -> dict[int, list[PlanStage]]:
    """Every known version's stages as the forecast walks them."""
    rows = await conn.fetch(
        "SELECT version, key, limit_hours, terminal, optional FROM pipeline_stages "
        "ORDER BY version, position"
    )
    out: dict[int, list[PlanStage]] = defaultdict(list)
    for r in rows:
        out[r["version"]].append(
            PlanStage(r["key"], r["limit_hours"], r["terminal"], r["optional"])
        )
    return dict(out)

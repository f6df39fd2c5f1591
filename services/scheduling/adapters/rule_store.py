"""Robots and stage limits as data in PostgreSQL, and the record of every firing."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from plumbing.db import Conn
from services.scheduling.domain.rules import Rule


async def seed(conn: Conn, rules: Iterable[Rule], limits: dict[str, float]) -> None:
    # ON CONFLICT DO NOTHING: a rule or limit a director has edited is never reset.
    for rule in rules:
        await conn.execute(
            "INSERT INTO rules (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            rule.id,
            rule.model_dump(mode="json"),
        )
    for stage, hours in limits.items():
        await conn.execute(
            "INSERT INTO stage_limits (stage, hours) VALUES ($1, $2) "
            "ON CONFLICT (stage) DO NOTHING",
            stage,
            hours,
        )


async def all_rules(conn: Conn | asyncpg.Pool) -> list[tuple[Rule, int]]:
    rows = await conn.fetch("SELECT definition, version FROM rules ORDER BY id")
    return [(Rule.model_validate(r["definition"]), r["version"]) for r in rows]


async def rules_for(conn: Conn, trigger: str) -> list[Rule]:
    """Read inside the event's transaction, so an edit committed before it takes effect."""
    rows = await conn.fetch(
        "SELECT definition FROM rules WHERE definition->>'trigger' = $1 ORDER BY id", trigger
    )
    return [Rule.model_validate(r["definition"]) for r in rows]


async def put_rule(conn: Conn, rule: Rule, expected: int | None) -> int | None:
    """The new version, or None when `expected` is given and stale (a concurrent edit)."""
    if expected == 0:  # "create it, it must not exist yet"
        version = await conn.fetchval(
            "INSERT INTO rules (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING "
            "RETURNING version",
            rule.id,
            rule.model_dump(mode="json"),
        )
        return int(version) if version is not None else None
    version = await conn.fetchval(
        "INSERT INTO rules (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE "
        "SET definition = $2, version = rules.version + 1, updated_at = now() "
        "WHERE $3::int IS NULL OR rules.version = $3 RETURNING version",
        rule.id,
        rule.model_dump(mode="json"),
        expected,
    )
    return int(version) if version is not None else None


async def claim_firing(conn: Conn, rule_id: str, cause_event_id: UUID) -> bool:
    """True the first time this rule meets this causing event; the primary key decides."""
    inserted = await conn.fetchval(
        "INSERT INTO rule_firings (rule_id, cause_event_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING RETURNING true",
        rule_id,
        cause_event_id,
    )
    return bool(inserted)


async def stage_limits(conn: Conn | asyncpg.Pool) -> dict[str, float]:
    rows = await conn.fetch("SELECT stage, hours FROM stage_limits ORDER BY stage")
    return {r["stage"]: r["hours"] for r in rows}


async def stage_limit(conn: Conn, stage: str) -> float | None:
    value = await conn.fetchval("SELECT hours FROM stage_limits WHERE stage = $1", stage)
    return float(value) if value is not None else None


async def set_stage_limit(conn: Conn, stage: str, hours: float | None) -> None:
    if hours is None:
        await conn.execute("DELETE FROM stage_limits WHERE stage = $1", stage)
        return
    await conn.execute(
        "INSERT INTO stage_limits (stage, hours) VALUES ($1, $2) "
        "ON CONFLICT (stage) DO UPDATE SET hours = $2",
        stage,
        hours,
    )

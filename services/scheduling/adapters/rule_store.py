"""Robots as data in PostgreSQL, and the record of every firing.

A rule saved before actions had ids reads with each action's position as its id: the very
key robots derived task and event ids from then, so their tasks stay deduplicated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.db import Conn
from services.scheduling.domain.rules import Rule, with_positional_ids


async def seed(conn: Conn, rules: Iterable[Rule]) -> None:
    # ON CONFLICT DO NOTHING: a rule a director has edited is never reset.
    for rule in rules:
        await conn.execute(
            "INSERT INTO rules (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            rule.id,
            with_positional_ids(rule).model_dump(mode="json"),
        )


async def retire(conn: Conn, rule_ids: Iterable[str]) -> list[str]:
    """Deletes rules whose work has moved elsewhere, edited or not: an admin's own text for
    one of them would tell a fact a second time. Returns the ids that were still there."""
    rows = await conn.fetch(
        "DELETE FROM rules WHERE id = ANY($1::text[]) RETURNING id", list(rule_ids)
    )
    return sorted(r["id"] for r in rows)


def _stored(definition: dict[str, Any]) -> Rule:
    return with_positional_ids(Rule.model_validate(definition))


async def all_rules(conn: Conn | asyncpg.Pool) -> list[tuple[Rule, int]]:
    rows = await conn.fetch("SELECT definition, version FROM rules ORDER BY id")
    return [(_stored(r["definition"]), r["version"]) for r in rows]


async def rules_for(conn: Conn, trigger: str) -> list[Rule]:
    """Read inside the event's transaction, so an edit committed before it takes effect."""
    rows = await conn.fetch(
        "SELECT definition FROM rules WHERE definition->>'trigger' = $1 ORDER BY id", trigger
    )
    return [_stored(r["definition"]) for r in rows]


async def get_for_update(conn: Conn, rule_id: str) -> Rule | None:
    """The stored rule, locked until the edit commits (its action ids decide the new ones')."""
    found = await conn.fetchval("SELECT definition FROM rules WHERE id = $1 FOR UPDATE", rule_id)
    return None if found is None else _stored(found)


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

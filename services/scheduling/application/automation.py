"""Editing robots and stage limits. An edit commits before the next event reads the rules
(robots read them inside each event's transaction), so it applies from the next event on."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.envelope import Actor
from contracts.events.scheduling import RuleChanged
from contracts.pipeline import STAGE_KEYS
from plumbing.errors import Conflict, Invalid
from services.scheduling.adapters import rule_store, timer_store
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.domain.rules import Rule, validate_rule


class Automation:
    def __init__(self, pool: asyncpg.Pool, emitter: Emitter) -> None:
        self.pool = pool
        self.emitter = emitter

    async def rules(self) -> list[dict[str, Any]]:
        return [
            {**rule.model_dump(mode="json"), "version": version}
            for rule, version in await rule_store.all_rules(self.pool)
        ]

    async def put_rule(self, rule: Rule, actor: Actor, expected: int | None) -> dict[str, Any]:
        validate_rule(rule)
        async with self.pool.acquire() as conn, conn.transaction():
            version = await rule_store.put_rule(conn, rule, expected)
            if version is None:
                raise Conflict("the rule was changed meanwhile", code="version_conflict")
            event = RuleChanged(rule_id=rule.id, definition=rule.model_dump(mode="json"))
            await self.emitter.emit(conn, [Pending(event, f"rule-{rule.id}", actor)])
        return {**rule.model_dump(mode="json"), "version": version}

    async def stage_limits(self) -> dict[str, float]:
        return await rule_store.stage_limits(self.pool)

    async def set_stage_limits(self, limits: dict[str, float | None]) -> dict[str, float]:
        for stage, hours in limits.items():
            if stage not in STAGE_KEYS:
                raise Invalid(f"limits: unknown stage {stage!r}", code="unknown_stage")
            if hours is not None and not 0 < hours <= 24 * 365:
                raise Invalid(f"limits.{stage}: hours must be in (0, 8760]", code="invalid_limit")
        async with self.pool.acquire() as conn, conn.transaction():
            for stage, hours in limits.items():
                await rule_store.set_stage_limit(conn, stage, hours)
                await timer_store.reschedule_stage(conn, stage, hours)
        return await rule_store.stage_limits(self.pool)

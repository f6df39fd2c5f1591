"""Editing robots. An edit commits before the next event reads the rules (robots read them
inside each event's transaction), so it applies from the next event on. Stage limits are the
pipeline's (`limit_hours`, edited with the pipeline in the orders service), not kept here."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from contracts.envelope import Actor
from contracts.events.scheduling import RuleChanged
from plumbing.errors import Conflict
from services.scheduling.adapters import pipeline_store, rule_store
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.domain.rules import Rule, keep_action_ids, validate_rule


def _new_action_id() -> str:
    return uuid.uuid4().hex[:12]


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
        async with self.pool.acquire() as conn, conn.transaction():
            validate_rule(rule, await pipeline_store.stage_keys(conn))
            stored = await rule_store.get_for_update(conn, rule.id)
            rule = keep_action_ids(rule, stored, _new_action_id)
            version = await rule_store.put_rule(conn, rule, expected)
            if version is None:
                raise Conflict("the rule was changed meanwhile", code="version_conflict")
            event = RuleChanged(rule_id=rule.id, definition=rule.model_dump(mode="json"))
            await self.emitter.emit(conn, [Pending(event, f"rule-{rule.id}", actor)])
        return {**rule.model_dump(mode="json"), "version": version}

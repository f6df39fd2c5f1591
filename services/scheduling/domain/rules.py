"""Robots: automation rules as data (trigger → conditions → actions) and their matching.

A rule reads only the facts below, never commercial fields: `Conditions` forbids any key it
does not name, so a rule cannot even be written against an amount or a payment term.

Each action has an id of its own, given when it is first saved and kept through every edit:
robots derive the ids of what an action creates from (cause, rule, action id), so a cause
redelivered after an edit (a title changed, an action added before it) finds its task again
instead of making a second one.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from contracts.events.common import VisitKind
from contracts.events.scheduling import RETIRED_NOTIFY_RULES, TaskKind
from contracts.pipeline import PipelineDefinition
from contracts.roles import ROLES, may
from services.scheduling.domain.errors import SchedulingRefusal

Trigger = Literal["order_entered_stage", "task_completed", "media_uploaded", "order_overdue"]
# What a notification text may mention: the fact's own non-commercial fields.
PLACEHOLDERS = frozenset({"stage", "from_stage", "task_kind", "title", "purpose", "number"})
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Conditions(_Model):
    stage: str | None = Field(
        default=None, description="Stage entered (order_entered_stage) or the order's stage"
    )
    from_stage: str | None = None
    direction: Literal["forward", "back", "cancel"] | None = None
    task_kind: TaskKind | None = None
    media_kind: Literal["document", "photo"] | None = None
    media_purpose: str | None = None
    without_booked_visit: VisitKind | None = Field(
        default=None, description="Only when the order has no booked visit of this kind"
    )
    pipeline_version: int | None = None


class _Action(_Model):
    # None only in a body being saved: a new action, given an id then (keep_action_ids).
    id: str | None = Field(default=None, pattern=ID_PATTERN)


class CreateTask(_Action):
    type: Literal["create_task"]
    kind: TaskKind
    title: str = Field(min_length=1, max_length=200)
    assignee_role: str | None = None
    assignee_id: UUID | None = None
    due_in_hours: float = Field(default=24, ge=0, le=24 * 365)
    visit_kind: VisitKind | None = None

    @model_validator(mode="after")
    def _one_assignee(self) -> CreateTask:
        if (self.assignee_role is None) == (self.assignee_id is None):
            raise ValueError("create_task needs exactly one of assignee_role, assignee_id")
        return self


class RequestStageMove(_Action):
    type: Literal["request_stage_move"]
    to_stage: str


class Notify(_Action):
    type: Literal["notify"]
    manager: bool = False
    role: str | None = None
    user_id: UUID | None = None
    text_ru: str = Field(min_length=1, max_length=1000)
    text_en: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _someone(self) -> Notify:
        if not (self.manager or self.role or self.user_id):
            raise ValueError("notify needs a recipient: manager, role or user_id")
        return self


Action = Annotated[CreateTask | RequestStageMove | Notify, Field(discriminator="type")]


class Rule(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    enabled: StrictBool = True
    trigger: Trigger
    conditions: Conditions = Conditions()
    actions: list[Action] = Field(min_length=1, max_length=10)


def validate_rule(rule: Rule, stages: frozenset[str]) -> Rule:
    """What pydantic cannot know: stages and roles are the pipelines' and the directory's.
    `stages`: every stage of every published pipeline version — a rule may name a stage of
    any version (varnishing, once a version has it), and fires for orders of those that do."""

    if rule.id in RETIRED_NOTIFY_RULES:
        raise SchedulingRefusal(
            f"id: {rule.id!r} belonged to a retired robot whose notices the notification "
            "settings now send; choose another id",
            code="retired_rule_id",
        )

    def known(where: str, stage: str | None) -> None:
        if stage is not None and stage not in stages:
            raise SchedulingRefusal(
                f"{where}: unknown stage {stage!r} (no published pipeline version has it)",
                code="unknown_stage",
            )

    known("conditions.stage", rule.conditions.stage)
    known("conditions.from_stage", rule.conditions.from_stage)
    for number, action in enumerate(rule.actions):
        where = f"actions.{number}"
        if isinstance(action, RequestStageMove):
            known(f"{where}.to_stage", action.to_stage)
        role = getattr(action, "role", None) or getattr(action, "assignee_role", None)
        if role is not None and role not in ROLES:
            raise SchedulingRefusal(f"{where}: unknown role {role!r}", code="unknown_role")
        if role is not None and not may(role, "orders.see"):
            # Every fact a robot acts on is an order's: its task or message would reach
            # nobody of a role that sees no orders (admin), so the rule would silently do
            # nothing; say so when it is saved instead.
            raise SchedulingRefusal(
                f"{where}: role {role!r} sees no orders, so this would reach nobody",
                code="role_sees_no_orders",
            )
        if isinstance(action, Notify):
            for text in (action.text_ru, action.text_en):
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
                if used - PLACEHOLDERS:
                    raise SchedulingRefusal(
                        f"{where}: unknown placeholder(s) {sorted(used - PLACEHOLDERS)}",
                        code="unknown_placeholder",
                    )
    return rule


def keep_action_ids(rule: Rule, stored: Rule | None, new_id: Callable[[], str]) -> Rule:
    """The rule to save: an action sent with its id keeps it (it must be one of the stored
    rule's), an action sent without one is new and gets a fresh id — never a position, which
    an edit may shift."""
    known = {a.id for a in stored.actions} if stored else set()
    seen: set[str] = set()
    actions = []
    for number, action in enumerate(rule.actions):
        given = action.id
        if given is not None and given not in known:
            raise SchedulingRefusal(
                f"actions.{number}.id: the rule has no action {given!r} (leave a new "
                "action's id out)",
                code="unknown_action",
            )
        if given in seen:
            raise SchedulingRefusal(
                f"actions.{number}.id: {given!r} given twice", code="invalid_rule"
            )
        action_id = given or new_id()
        seen.add(action_id)
        actions.append(action.model_copy(update={"id": action_id}))
    return rule.model_copy(update={"actions": actions})


def with_positional_ids(rule: Rule) -> Rule:
    """A rule saved before actions had ids: each is known by its position, the key robots
    derived ids from then (so a task made before the upgrade is found again after it)."""
    actions = [
        a if a.id is not None else a.model_copy(update={"id": str(number)})
        for number, a in enumerate(rule.actions)
    ]
    return rule.model_copy(update={"actions": actions})


@dataclass(frozen=True)
class Fact:
    """One triggering event, reduced to what rules may look at."""

    trigger: Trigger
    order_id: UUID
    stage: str | None  # entered stage, or the order's current stage
    from_stage: str | None = None
    direction: str | None = None
    task_kind: str | None = None
    title: str | None = None
    media_kind: str | None = None
    media_purpose: str | None = None
    pipeline_version: int | None = None
    number: int | None = None
    booked_visit_kinds: frozenset[str] = frozenset()
    # The order's pipeline version, for stage titles in texts (None: not heard of yet).
    pipeline: PipelineDefinition | None = None


def matches(rule: Rule, fact: Fact) -> bool:
    if not rule.enabled or rule.trigger != fact.trigger:
        return False
    c = rule.conditions
    wanted = (
        (c.stage, fact.stage),
        (c.from_stage, fact.from_stage),
        (c.direction, fact.direction),
        (c.task_kind, fact.task_kind),
        (c.media_kind, fact.media_kind),
        (c.media_purpose, fact.media_purpose),
        (c.pipeline_version, fact.pipeline_version),
    )
    if any(want is not None and want != got for want, got in wanted):
        return False
    return c.without_booked_visit is None or c.without_booked_visit not in fact.booked_visit_kinds


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(text: str, fact: Fact, lang: str = "ru") -> str:
    """A notification text with the fact's values; a stage reads as its title in the text's
    language in the order's pipeline (its key while that version is unknown)."""

    def title(key: str | None) -> str | None:
        return fact.pipeline.title(key, lang) if fact.pipeline and key else key

    values = {
        "stage": title(fact.stage),
        "from_stage": title(fact.from_stage),
        "task_kind": fact.task_kind,
        "title": fact.title,
        "purpose": fact.media_purpose,
        "number": fact.number,
    }
    return text.format_map(_Keep({k: str(v) for k, v in values.items() if v is not None}))

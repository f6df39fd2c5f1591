"""Robots: automation rules as data (trigger → conditions → actions) and their matching.

A rule reads only the facts below, never commercial fields: `Conditions` forbids any key it
does not name, so a rule cannot even be written against an amount or a payment term.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.events.common import VisitKind
from contracts.events.scheduling import TaskKind
from contracts.pipeline import STAGE_KEYS
from contracts.roles import ROLES
from plumbing.errors import Invalid

Trigger = Literal["order_entered_stage", "task_completed", "media_uploaded", "order_overdue"]
# What a notification text may mention: the fact's own non-commercial fields.
PLACEHOLDERS = frozenset({"stage", "from_stage", "task_kind", "title", "purpose", "number"})


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


class CreateTask(_Model):
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


class RequestStageMove(_Model):
    type: Literal["request_stage_move"]
    to_stage: str


class Notify(_Model):
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
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    title: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    trigger: Trigger
    conditions: Conditions = Conditions()
    actions: list[Action] = Field(min_length=1, max_length=10)


def validate_rule(rule: Rule) -> Rule:
    """What pydantic cannot know: stages and roles are the pipeline's and the directory's."""
    c = rule.conditions
    for where, stage in (("conditions.stage", c.stage), ("conditions.from_stage", c.from_stage)):
        if stage is not None and stage not in STAGE_KEYS:
            raise Invalid(f"{where}: unknown stage {stage!r}", code="unknown_stage")
    for number, action in enumerate(rule.actions):
        where = f"actions.{number}"
        if isinstance(action, RequestStageMove) and action.to_stage not in STAGE_KEYS:
            raise Invalid(
                f"{where}.to_stage: unknown stage {action.to_stage!r}", code="unknown_stage"
            )
        role = getattr(action, "role", None) or getattr(action, "assignee_role", None)
        if role is not None and role not in ROLES:
            raise Invalid(f"{where}: unknown role {role!r}", code="unknown_role")
        if isinstance(action, Notify):
            for text in (action.text_ru, action.text_en):
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
                if used - PLACEHOLDERS:
                    raise Invalid(
                        f"{where}: unknown placeholder(s) {sorted(used - PLACEHOLDERS)}",
                        code="unknown_placeholder",
                    )
    return rule


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


def render(text: str, fact: Fact) -> str:
    values = {
        "stage": fact.stage,
        "from_stage": fact.from_stage,
        "task_kind": fact.task_kind,
        "title": fact.title,
        "purpose": fact.media_purpose,
        "number": fact.number,
    }
    return text.format_map(_Keep({k: str(v) for k, v in values.items() if v is not None}))

"""A yes/no a client sends is JSON's true or false: pydantic alone would read 0, 1, "yes" or
"off" as one, so a malformed body would switch a robot off or deactivate a user."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from contracts.api.scheduling import ChangeVisit, RuleRequest
from contracts.api.users import UserChanges
from contracts.pipeline import StageDefinition
from services.scheduling.domain.rules import Rule

RULE = {"title": "t", "trigger": "order_entered_stage", "actions": [{"type": "notify"}]}
STAGE = {"key": "intake", "title_ru": "Приём", "title_en": "Intake"}
CASES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (RuleRequest, RULE, "enabled"),
    (UserChanges, {}, "active"),
    (ChangeVisit, {}, "cancelled"),
    (StageDefinition, STAGE, "terminal"),
]


@pytest.mark.parametrize(("model", "base", "flag"), CASES, ids=[c[2] for c in CASES])
@pytest.mark.parametrize("sent", [0, 1, "true", "yes", "off", 0.0])
def test_only_true_or_false_is_a_flag(
    model: type[BaseModel], base: dict[str, Any], flag: str, sent: object
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate({**base, flag: sent})


@pytest.mark.parametrize(("model", "base", "flag"), CASES, ids=[c[2] for c in CASES])
def test_true_and_false_are_taken(model: type[BaseModel], base: dict[str, Any], flag: str) -> None:
    for sent in (True, False):
        assert getattr(model.model_validate({**base, flag: sent}), flag) is sent


def test_the_rule_model_behind_the_api_is_as_strict() -> None:
    with pytest.raises(ValidationError, match="enabled"):
        Rule.model_validate({"id": "r", **RULE, "enabled": 0})

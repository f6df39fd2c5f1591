"""Robots as data: the default rules, validation, matching."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from plumbing.errors import Invalid
from services.scheduling.domain.defaults import DEFAULT_RULES, DEFAULT_STAGE_LIMITS
from services.scheduling.domain.rules import Fact, Rule, matches, render, validate_rule
from tests.scheduling_rule_cases import UNKNOWN_NAMES

ORDER = uuid.uuid4()


def rule(**kw: Any) -> Rule:
    base: dict[str, Any] = {
        "id": "r1",
        "title": "t",
        "trigger": "order_entered_stage",
        "actions": [{"type": "request_stage_move", "to_stage": "contract"}],
    }
    return Rule.model_validate({**base, **kw})


def fired(fact: Fact) -> set[str]:
    return {r.id for r in DEFAULT_RULES if matches(r, fact)}


def test_every_default_rule_is_valid() -> None:
    for r in DEFAULT_RULES:
        validate_rule(r)
    assert "closed" not in DEFAULT_STAGE_LIMITS


def test_entering_measurement_without_a_visit_asks_the_manager_to_book_one() -> None:
    fact = Fact("order_entered_stage", ORDER, "measurement")
    assert fired(fact) == {"measurement-book-visit", "notify-stage-change"}
    booked = Fact(
        "order_entered_stage", ORDER, "measurement", booked_visit_kinds=frozenset({"measurement"})
    )
    assert fired(booked) == {"notify-stage-change"}


def test_entering_installation_or_rework_makes_an_installer_task() -> None:
    assert "installation-installer-task" in fired(
        Fact("order_entered_stage", ORDER, "installation")
    )
    assert "rework-installer-task" in fired(Fact("order_entered_stage", ORDER, "rework"))
    assert "shipment-prep-delivery-task" in fired(
        Fact("order_entered_stage", ORDER, "shipment_prep")
    )


def test_a_completed_measurement_asks_to_move_to_contract() -> None:
    done = Fact("task_completed", ORDER, "measurement", task_kind="measurement")
    assert fired(done) == {"measurement-done-to-contract", "notify-task-completed"}
    other = Fact("task_completed", ORDER, "delivery", task_kind="delivery")
    assert fired(other) == {"notify-task-completed"}


def test_photos_notify_and_documents_do_not() -> None:
    assert fired(Fact("media_uploaded", ORDER, None, media_kind="photo")) == {
        "notify-photo-uploaded"
    }
    assert fired(Fact("media_uploaded", ORDER, None, media_kind="document")) == set()


def test_overdue_alerts_manager_and_director() -> None:
    (r,) = [r for r in DEFAULT_RULES if matches(r, Fact("order_overdue", ORDER, "contract"))]
    action = r.actions[0]
    assert action.type == "notify"
    assert action.manager
    assert action.role == "director"


def test_a_disabled_rule_never_fires() -> None:
    assert not matches(rule(enabled=False), Fact("order_entered_stage", ORDER, "contract"))


@pytest.mark.parametrize(
    ("change", "code"),
    UNKNOWN_NAMES,
)
def test_rules_naming_unknown_stages_roles_or_fields_are_refused(
    change: dict[str, Any], code: str
) -> None:
    with pytest.raises(Invalid) as err:
        validate_rule(rule(**change))
    assert err.value.code == code


@pytest.mark.parametrize(
    "change",
    [
        {"trigger": "order_paid"},
        {"conditions": {"amount_gt": 1000}},  # commercial fields cannot even be named
        {"actions": []},
        {"actions": [{"type": "create_task", "kind": "custom", "title": "x"}]},  # no assignee
        {"actions": [{"type": "notify", "text_ru": "a", "text_en": "b"}]},  # no recipient
    ],
)
def test_malformed_rules_do_not_parse(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        rule(**change)


def test_notification_text_mentions_only_the_fact() -> None:
    fact = Fact("order_entered_stage", ORDER, "contract", number=7)
    assert render("Заказ №{number} → {stage}{title}", fact) == "Заказ №7 → contract"

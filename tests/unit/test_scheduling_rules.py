"""Robots as data: the default rules, validation, matching."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.events.scheduling import RETIRED_NOTIFY_RULES
from services.scheduling.domain.defaults import DEFAULT_RULES
from services.scheduling.domain.errors import SchedulingRefusal
from services.scheduling.domain.rules import (
    Fact,
    Rule,
    keep_action_ids,
    matches,
    render,
    validate_rule,
    with_positional_ids,
)
from tests.pipeline_versions import default_pipeline, with_varnishing, without_rework
from tests.scheduling_rule_cases import UNKNOWN_NAMES

ORDER = uuid.uuid4()
V1_STAGES = frozenset(default_pipeline().keys())


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
        validate_rule(r, V1_STAGES)


def test_entering_measurement_without_a_visit_asks_the_manager_to_book_one() -> None:
    fact = Fact("order_entered_stage", ORDER, "measurement")
    assert fired(fact) == {"measurement-book-visit"}
    booked = Fact(
        "order_entered_stage", ORDER, "measurement", booked_visit_kinds=frozenset({"measurement"})
    )
    assert fired(booked) == set()


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
    assert fired(done) == {"measurement-done-to-contract"}
    other = Fact("task_completed", ORDER, "delivery", task_kind="delivery")
    assert fired(other) == set()


def test_no_default_robot_notifies_the_notifications_defaults_do() -> None:
    # Routing is the notifications service's (README, Notifications): no seeded robot tells
    # anyone anything, and none keeps an id of the retired notify robots.
    assert not [a for r in DEFAULT_RULES for a in r.actions if a.type == "notify"]
    assert not {r.id for r in DEFAULT_RULES} & RETIRED_NOTIFY_RULES
    assert fired(Fact("media_uploaded", ORDER, None, media_kind="photo")) == set()
    assert fired(Fact("order_overdue", ORDER, "contract")) == set()


def test_a_disabled_rule_never_fires() -> None:
    assert not matches(rule(enabled=False), Fact("order_entered_stage", ORDER, "contract"))


@pytest.mark.parametrize(
    ("change", "code"),
    UNKNOWN_NAMES,
)
def test_rules_naming_unknown_stages_roles_or_fields_are_refused(
    change: dict[str, Any], code: str
) -> None:
    with pytest.raises(SchedulingRefusal) as err:
        validate_rule(rule(**change), V1_STAGES)
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


VARNISH_TASK = {
    "type": "create_task",
    "kind": "custom",
    "title": "Покрыть лаком",
    "assignee_role": "production",
}


def test_a_rule_may_name_a_stage_once_a_published_version_has_it() -> None:
    on_entry = rule(conditions={"stage": "varnishing"}, actions=[VARNISH_TASK])
    with pytest.raises(SchedulingRefusal) as err:
        validate_rule(on_entry, V1_STAGES)
    assert err.value.code == "unknown_stage"
    assert "varnishing" in str(err.value)
    # Every stage of every version counts: v3 dropped rework, v1 still has it.
    published = V1_STAGES | set(with_varnishing().keys()) | set(without_rework().keys())
    validate_rule(on_entry, frozenset(published))
    validate_rule(rule(conditions={"stage": "rework"}), frozenset(published))
    entered = Fact("order_entered_stage", ORDER, "varnishing", pipeline_version=2)
    assert matches(on_entry, entered)


def test_new_actions_get_fresh_ids_and_kept_ones_keep_theirs() -> None:
    fresh = iter(["n1", "n2", "n3"])
    saved = keep_action_ids(rule(actions=[VARNISH_TASK]), None, lambda: next(fresh))
    assert [a.id for a in saved.actions] == ["n1"]
    # Edited: its title changed and a new action put before it.
    edited = rule(
        actions=[
            {"type": "request_stage_move", "to_stage": "contract"},
            {**VARNISH_TASK, "id": "n1", "title": "Покрыть лаком дважды"},
        ]
    )
    again = keep_action_ids(edited, saved, lambda: next(fresh))
    assert [a.id for a in again.actions] == ["n2", "n1"]


def test_an_action_id_the_rule_never_had_is_refused() -> None:
    stored = with_positional_ids(rule())
    for actions in (
        [{**VARNISH_TASK, "id": "made-up"}],
        [{**VARNISH_TASK, "id": "0"}, {**VARNISH_TASK, "id": "0"}],
    ):
        with pytest.raises(SchedulingRefusal) as err:
            keep_action_ids(rule(actions=actions), stored, lambda: "x")
        assert err.value.code in {"unknown_action", "invalid_rule"}


def test_a_rule_saved_before_action_ids_reads_with_its_positions() -> None:
    # The key robots derived task ids from then, so tasks made before the upgrade match.
    old = rule(actions=[VARNISH_TASK, {"type": "request_stage_move", "to_stage": "contract"}])
    assert [a.id for a in with_positional_ids(old).actions] == ["0", "1"]


def test_a_stage_reads_as_its_title_in_the_orders_pipeline() -> None:
    fact = Fact("order_overdue", ORDER, "varnishing", number=7, pipeline=with_varnishing())
    text = "Заказ №{number} превысил срок на стадии «{stage}»"
    assert render(text, fact, "ru") == "Заказ №7 превысил срок на стадии «Лакировка»"
    assert render("Order #{number} in {stage}", fact, "en") == "Order #7 in Varnishing"

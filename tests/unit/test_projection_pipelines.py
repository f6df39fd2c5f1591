"""Which stages the board and the reports list, in what order and under which title, when
orders follow different pipeline versions (services/projections/domain/pipelines.py)."""

from __future__ import annotations

from services.projections.domain.pipelines import KnownStage, Pipelines

V1 = ("intake", "production", "shipment_prep", "installation", "rework", "closed", "cancelled")


def _stages(*keys: str) -> list[KnownStage]:
    return [KnownStage(k, f"ru:{k}", f"en:{k}") for k in keys]


def _without(keys: tuple[str, ...], gone: str) -> tuple[str, ...]:
    return tuple(k for k in keys if k != gone)


V2 = (*V1[:2], "varnishing", *V1[2:])
V3 = _without(V1, "rework")  # drops rework; varnishing is v2's only
PIPELINES = Pipelines({1: _stages(*V1), 2: _stages(*V2), 3: _stages(*V3)})


def test_the_newest_version_sets_the_columns() -> None:
    assert PIPELINES.ordered([]) == list(V3)
    assert PIPELINES.ordered(["intake", "closed"]) == list(V3)


def test_a_stage_only_an_older_version_has_stays_after_its_predecessor_there() -> None:
    assert PIPELINES.ordered(["rework", "varnishing"]) == [
        "intake",
        "production",
        "varnishing",
        "shipment_prep",
        "installation",
        "rework",
        "closed",
        "cancelled",
    ]


def test_a_stage_no_known_version_defines_is_kept_last() -> None:
    assert PIPELINES.ordered(["polishing"]) == [*V3, "polishing"]
    assert Pipelines({}).ordered(["production", "intake"]) == ["intake", "production"]


def test_every_stage_of_every_version_in_board_order() -> None:
    assert PIPELINES.every_stage() == PIPELINES.ordered(["varnishing", "rework"])


def test_titles_follow_the_orders_version_then_the_newest_then_the_key() -> None:
    renamed = Pipelines({1: _stages(*V1), 2: [KnownStage("intake", "Приём", "Intake")]})
    assert renamed.title("intake", "ru", version=1) == "ru:intake"
    assert renamed.title("intake", "ru") == "Приём"
    assert renamed.title("intake", "en", version=7) == "Intake"  # v7 not heard of yet
    assert renamed.title("rework", "en", version=2) == "en:rework"
    assert renamed.title("polishing", "ru") == "polishing"

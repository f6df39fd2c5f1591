"""The closing forecast (services/projections/domain/forecast.py) on a fixture small enough to
compute by hand; every expected figure below is worked out in its comment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.orders.domain.default_pipeline import DEFAULT_DEFINITION
from services.projections.domain.forecast import (
    Estimates,
    OpenOrder,
    PlanStage,
    Settings,
    Stay,
    forecast,
    optional_stages,
    remaining_path,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
H = 3600.0
PLAN = [
    PlanStage("intake", 48),
    PlanStage("measurement", 120),
    PlanStage("production", 480),
    PlanStage("installation", 120),
    PlanStage("rework", 120, optional=True),
    PlanStage("closed", terminal=True),
    PlanStage("cancelled", terminal=True),
]


def stays(version: int, stage: str, hours: list[float]) -> list[Stay]:
    # Closed one day apart, the last one a day before NOW.
    return [
        Stay(version, stage, NOW - timedelta(days=len(hours) - i), h * H)
        for i, h in enumerate(hours)
    ]


HISTORY = [
    *stays(2, "measurement", [24, 48, 72, 96, 120]),  # median 72 h on version 2
    *stays(2, "production", [200, 240, 260, 300, 1000]),  # median 260 h on version 2
    # Installation: 2 on version 2 (too few), 4 more on version 1: over all 6, the median of
    # 8, 10, 12, 14, 16, 100 is (12 + 14) / 2 = 13 h.
    *stays(2, "installation", [8, 100]),
    *stays(1, "installation", [10, 12, 14, 16]),
]
ESTIMATES = Estimates(HISTORY)


def order(stage: str = "measurement", hours_in: float = 30, **kw: object) -> OpenOrder:
    return OpenOrder(2, stage, NOW - timedelta(hours=hours_in), **kw)  # type: ignore[arg-type]


def test_the_remaining_stages_take_their_medians_and_the_current_one_what_is_left() -> None:
    # measurement: 72 - 30 = 42 h left; production 260 h; installation 13 h (all versions).
    # 42 + 260 + 13 = 315 h = 13 d 3 h after 1 Dec 09:00 UTC: 14 Dec 12:00 UTC, 15:00 MSK.
    found = forecast(order(promised_date=date(2026, 12, 13)), PLAN, ESTIMATES, NOW)
    assert found is not None
    assert found.expected_at == datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
    assert found.expected_close == date(2026, 12, 14)
    assert found.late is True  # promised the 13th
    assert found.basis == "all_versions"  # the weakest used: installation's


def test_a_stage_overstayed_has_nothing_left_and_the_promised_day_itself_is_in_time() -> None:
    # 100 h in measurement (median 72): 0 left. 260 + 13 = 273 h = 11 d 9 h: 12 Dec 18:00
    # UTC, 21:00 in Moscow: closes on the 12th, the day promised: not late.
    found = forecast(order(hours_in=100, promised_date=date(2026, 12, 12)), PLAN, ESTIMATES, NOW)
    assert found is not None
    assert found.expected_at == datetime(2026, 12, 12, 18, 0, tzinfo=UTC)
    assert found.late is False


def test_a_booked_visit_replaces_its_stages_estimate() -> None:
    # Production ends at 42 + 260 = 302 h: 13 Dec 23:00 UTC; the installation visit ends on
    # 20 Dec 10:00 UTC, later: the order closes then, not 13 h after production.
    ends = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    found = forecast(order(visit_ends={"installation": ends}), PLAN, ESTIMATES, NOW)
    assert found is not None
    assert found.expected_at == ends
    assert found.basis == "version"  # installation's fallback is no longer used
    assert found.late is False  # nothing promised, nothing late


def test_a_visit_before_the_order_can_reach_its_stage_ends_it_on_arrival() -> None:
    # A visit booked too early cannot close the stage before the order gets there: 302 h.
    early = NOW + timedelta(hours=1)
    found = forecast(order(visit_ends={"installation": early}), PLAN, ESTIMATES, NOW)
    assert found is not None
    assert found.expected_at == NOW + timedelta(hours=302)


def test_the_current_stages_visit_ends_it_and_a_past_one_ends_it_now() -> None:
    # Measurement visit ends in 5 h: 5 + 260 + 13 = 278 h.
    soon = NOW + timedelta(hours=5)
    found = forecast(order(visit_ends={"measurement": soon}), PLAN, ESTIMATES, NOW)
    assert found is not None
    assert found.expected_at == NOW + timedelta(hours=278)
    past = NOW - timedelta(hours=5)
    found = forecast(order(visit_ends={"measurement": past}), PLAN, ESTIMATES, NOW)
    assert found is not None
    assert found.expected_at == NOW + timedelta(hours=273)


def test_only_the_last_n_closed_orders_count() -> None:
    # Last 3 production stays (closed latest): 260, 300, 1000 -> median 300 h.
    settings = Settings(last_n=3, min_samples=3)
    estimates = Estimates(HISTORY, settings)
    assert estimates.seconds(2, PLAN[2]) == (300 * H, "version")


def test_with_no_history_the_stage_limits_decide_then_the_default() -> None:
    # intake 48 - 30 = 18 h, measurement 120, production 480, installation 120: 738 h.
    empty = Estimates([])
    found = forecast(order("intake"), PLAN, empty, NOW)
    assert found is not None
    assert found.expected_at == NOW + timedelta(hours=738)
    assert found.basis == "stage_limit"
    no_limits = [PlanStage("intake"), PlanStage("closed", terminal=True)]
    found = forecast(order("intake", hours_in=2), no_limits, empty, NOW)
    assert found is not None
    assert found.expected_at == NOW + timedelta(hours=70)  # default 72 h, 2 spent
    assert found.basis == "default"


def test_an_optional_stage_is_skipped_unless_the_order_is_in_it_or_it_is_booked() -> None:
    path = remaining_path(PLAN, order("installation"))
    assert [s.key for s in path or []] == ["installation"]
    booked = order("installation", visit_ends={"rework": NOW + timedelta(days=3)})
    assert [s.key for s in remaining_path(PLAN, booked) or []] == ["installation", "rework"]
    assert [s.key for s in remaining_path(PLAN, order("rework")) or []] == ["rework"]


def test_the_closing_day_is_the_companys_local_day() -> None:
    # 13 h of installation from 09:30 UTC: 22:30 UTC is already 2 Dec in Moscow (01:30).
    at = NOW + timedelta(minutes=30)
    found = forecast(order("installation", hours_in=0), PLAN, ESTIMATES, at)
    assert found is not None
    assert found.expected_close == date(2026, 12, 2)


def test_no_forecast_for_a_closed_order_or_an_unknown_version_or_stage() -> None:
    assert forecast(order("closed"), PLAN, ESTIMATES, NOW) is None
    assert forecast(order("varnishing"), PLAN, ESTIMATES, NOW) is None
    assert forecast(order(), None, ESTIMATES, NOW) is None


def test_the_default_pipeline_has_rework_as_its_only_optional_stage() -> None:
    keys = [s["key"] for s in DEFAULT_DEFINITION["stages"]]
    assert optional_stages(keys, DEFAULT_DEFINITION["forward"]) == {"rework"}

"""The backtest `make bench` prints (bench/forecast.py): it replays only what was known at
each moment, and the rule beats the stage limits alone on the synthetic history."""

from __future__ import annotations

from bench.forecast import backtest, simulate


def test_the_backtest_is_repeatable_and_the_medians_beat_the_limits() -> None:
    orders = simulate(seed=5, days=150)
    rule, limits = backtest(orders), backtest(orders, visits=False, history=False)
    assert rule == backtest(simulate(seed=5, days=150))  # seeded: the same figures every run
    assert rule.count == limits.count > 500
    assert rule.median_days < limits.median_days

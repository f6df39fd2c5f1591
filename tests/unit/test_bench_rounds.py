"""The benchmark's method (bench/rounds.py): which side goes first, when the machine counts
as settled, and percentiles printed only with enough samples behind them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bench import rounds
from bench.rounds import (
    OURS,
    RAW,
    Quiet,
    Window,
    alternate,
    is_quiet,
    paired,
    percentile,
    samples_for,
    settle,
    shown,
    sides,
)

NO_WAIT = Quiet(max_wait_s=0)


def test_sides_take_turns_going_first() -> None:
    assert [sides(n) for n in range(4)] == [(RAW, OURS), (OURS, RAW), (RAW, OURS), (OURS, RAW)]


async def test_alternate_runs_raw_first_then_ours_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bench.rounds.QUIET", NO_WAIT)
    order: list[str] = []

    def side(name: str, seconds: float) -> Callable[[], Awaitable[float]]:
        async def run() -> float:
            order.append(name)
            return seconds

        return run

    ours, raw = await alternate(3, 100, side(OURS, 2.0), side(RAW, 1.0))
    assert order == [RAW, OURS, OURS, RAW, RAW, OURS]
    assert (ours, raw) == (50.0, 100.0)


async def test_paired_tells_the_round_which_side_goes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bench.rounds.QUIET", NO_WAIT)
    told: list[bool] = []

    async def run(ours_first: bool) -> tuple[float, float]:
        told.append(ours_first)
        return 4.0, 1.0

    assert await paired(4, 8, run) == (2.0, 8.0)
    assert told == [False, True, False, True]


def test_quiet_needs_every_recent_window_under_the_bound() -> None:
    rule = Quiet(busy=0.25, write_mb_s=20, windows=2)

    def cpu(*shares: float) -> list[Window]:
        return [Window(share, 0.0) for share in shares]

    assert is_quiet(cpu(0.9, 0.1, 0.2), rule)
    assert not is_quiet(cpu(0.1, 0.3), rule)  # the last window is still busy
    assert not is_quiet(cpu(0.3, 0.1), rule)  # one quiet window is not enough
    assert not is_quiet(cpu(0.1), rule)  # too early to tell
    assert is_quiet(cpu(0.25, 0.25), rule)  # the bound itself counts as quiet


def test_disks_still_writing_are_not_quiet_though_the_cpu_is() -> None:
    rule = Quiet(busy=0.25, write_mb_s=20, windows=2)
    checkpoint = [Window(0.05, 150.0), Window(0.05, 90.0)]  # iowait is not CPU busy
    assert not is_quiet(checkpoint, rule)
    assert is_quiet([*checkpoint, Window(0.05, 3.0), Window(0.1, 0.0)], rule)


def test_a_p99_needs_a_thousand_samples_and_a_p95_two_hundred() -> None:
    assert samples_for(0.99) == 1000
    assert samples_for(0.95) == 200
    assert samples_for(0.5) == 20


def test_a_percentile_with_too_few_samples_is_not_given() -> None:
    assert percentile([float(n) for n in range(999)], 0.99) is None
    assert shown(None) == "few"


def test_the_p99_of_a_thousand_samples_is_the_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 1001)]  # 1..1000, shuffled order must not matter
    samples.reverse()
    assert percentile(samples, 0.99) == 990.0
    assert percentile(samples, 0.5) == 500.0
    assert shown(percentile(samples, 0.99)) == "990.0"


async def test_a_machine_that_never_quiets_is_reported_not_waited_for_forever(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(rounds, "unsettled", [])
    never = Quiet(busy=-1.0, write_mb_s=-1.0, window_s=0.01, windows=1, max_wait_s=0.05)
    settled = await settle("before ours", never)
    assert not settled.quiet
    assert rounds.unsettled == [("before ours", settled)]
    assert "not settled before ours" in capsys.readouterr().out


async def test_a_quiet_machine_settles_without_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rounds, "unsettled", [])
    always = Quiet(busy=1.0, write_mb_s=1e9, window_s=0.01, windows=2, max_wait_s=5)
    assert (await settle("before raw", always)).quiet
    assert rounds.unsettled == []

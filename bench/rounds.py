"""Repeat a comparison and keep the median of each side.

Why: on a shared machine fsync latency drifts with whatever else uses the disk, and a single
run of each side once put "ours" above "raw". Alternating which side goes first keeps a drift
from favouring one side; the median drops a stalled round without hiding a steady cost.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable

# One run of one side: returns the seconds it took to move `events` events.
Run = Callable[[], Awaitable[float]]


async def alternate(rounds: int, events: int, ours: Run, raw: Run) -> tuple[float, float]:
    """(median ours ev/s, median raw ev/s) over `rounds` rounds, raw first in even rounds."""
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for number in range(rounds):
        order = [(raw, raw_rates), (ours, ours_rates)]
        if number % 2:
            order.reverse()
        for run, rates in order:
            rates.append(events / await run())
    return statistics.median(ours_rates), statistics.median(raw_rates)


# One round that runs both sides itself (they share a set-up): (ours seconds, raw seconds).
PairedRun = Callable[[], Awaitable[tuple[float, float]]]


async def paired(rounds: int, events: int, run: PairedRun) -> tuple[float, float]:
    """(median ours ev/s, median raw ev/s) over `rounds` rounds of a run timing both sides."""
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for _ in range(rounds):
        ours_s, raw_s = await run()
        ours_rates.append(events / ours_s)
        raw_rates.append(events / raw_s)
    return statistics.median(ours_rates), statistics.median(raw_rates)

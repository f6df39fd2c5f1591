"""Rounds of a comparison: which side goes first, waiting for the machine to be quiet, and
percentiles that are only printed when there are enough samples behind them.

Why: on a shared machine fsync latency and CPU drift with whatever else runs, and a single run
of each side once put "ours" above "raw". Alternating which side goes first keeps a drift from
favouring one side; the median drops a stalled round without hiding a steady cost. Work a run
leaves behind (a relay draining, consumers applying, autovacuum, another session's tests)
would land inside the next timed run, on whichever side comes next: before and after every
timed run we wait, bounded, until the machine's CPU is quiet, and say so when it never was.

Every section uses these (not copies of them), so the method is the same across the table.
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import psutil

from bench import costs
from load import stats

# --- which side first ----------------------------------------------------------------------

OURS, RAW = "ours", "raw"


def sides(round_number: int) -> tuple[str, str]:
    """The order of the two sides in a round: raw first in even rounds, ours first in odd."""
    return (RAW, OURS) if round_number % 2 == 0 else (OURS, RAW)


# --- waiting for quiet ---------------------------------------------------------------------


@dataclass(frozen=True)
class Quiet:
    """When the machine counts as quiet: in each of the last `windows` windows of `window_s`
    seconds, the CPU busy share of all cores at most `busy` and the disks written at most
    `write_mb_s` (a checkpoint after a big COPY is background work too, and iowait is not
    CPU busy); give up after `max_wait_s`."""

    busy: float = 0.25
    write_mb_s: float = 20.0
    window_s: float = 0.5
    windows: int = 2
    max_wait_s: float = 15.0


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


# BENCH_SETTLE_BUSY / BENCH_SETTLE_WRITE_MB_S / BENCH_SETTLE_MAX_S: a machine that is never
# this quiet (a shared CI runner) can loosen them; BENCH_SETTLE_MAX_S=0 turns the wait off.
QUIET = Quiet(
    busy=_env_float("BENCH_SETTLE_BUSY", 0.25),
    write_mb_s=_env_float("BENCH_SETTLE_WRITE_MB_S", 20.0),
    max_wait_s=_env_float("BENCH_SETTLE_MAX_S", 15.0),
)


@dataclass(frozen=True)
class Window:
    busy: float  # CPU busy share of all cores, 0..1
    write_mb_s: float  # disk writes, MB per second


def is_quiet(history: Sequence[Window], rule: Quiet) -> bool:
    """True when the last `rule.windows` windows (oldest first) are all within bounds."""
    recent = history[-rule.windows :]
    return len(recent) >= rule.windows and all(
        w.busy <= rule.busy and w.write_mb_s <= rule.write_mb_s for w in recent
    )


@dataclass(frozen=True)
class Settled:
    quiet: bool
    waited_s: float
    last: Window  # the last window measured

    def __str__(self) -> str:
        return (
            f"CPU {self.last.busy:.0%} busy, disks writing {self.last.write_mb_s:.0f} MB/s "
            f"after {self.waited_s:.0f} s"
        )


# Settle waits not settled, as (where, Settled): the run's notes print them again at the end.
unsettled: list[tuple[str, Settled]] = []


def _written() -> int:
    counters = psutil.disk_io_counters()
    return counters.write_bytes if counters else 0  # None: no disks to see (a container)


async def settle(where: str, rule: Quiet | None = None) -> Settled:
    """Wait until the machine is quiet (`rule`, else the module's QUIET, which `--quick`
    shortens), at most `rule.max_wait_s`; print a line when it was not, so a figure measured
    on a busy machine says so next to it."""
    rule = rule or QUIET
    if rule.max_wait_s <= 0:
        return Settled(True, 0.0, Window(0.0, 0.0))
    started = time.monotonic()
    history: list[Window] = []
    psutil.cpu_percent(interval=None)  # starts the first window
    written = _written()
    while True:
        await asyncio.sleep(rule.window_s)
        # psutil: the busy share of all cores since the previous call, from /proc/stat, and
        # the bytes written to disk, from /proc/diskstats.
        now_written = _written()
        mb_s = (now_written - written) / rule.window_s / 1e6
        history.append(Window(psutil.cpu_percent(interval=None) / 100, mb_s))
        written = now_written
        waited = time.monotonic() - started
        if is_quiet(history, rule):
            return Settled(True, waited, history[-1])
        if waited >= rule.max_wait_s:
            settled = Settled(False, waited, history[-1])
            unsettled.append((where, settled))
            print(f"  (not settled {where}: {settled})", flush=True)
            return settled


# --- percentiles ---------------------------------------------------------------------------


def samples_for(q: float) -> int:
    """The fewest samples behind a `q` quantile: ten of them beyond it (p99: 1,000, p95: 200),
    so one outlier moves it by a tenth of the tail, not all of it."""
    return math.ceil(10 / (1 - q) - 1e-9)


def percentile(samples: Sequence[float], q: float) -> float | None:
    """The `q` quantile (0..1, nearest rank, as the load runs compute it), or None with fewer
    samples than `samples_for(q)`."""
    if len(samples) < samples_for(q):
        return None
    return stats.percentile(samples, q * 100)


@dataclass
class Shown:
    few: int = 0  # percentiles shown as "few": the run's notes explain the word if any were


SHOWN = Shown()


def shown(value: float | None, spec: str = ".1f") -> str:
    """A percentile for the table: 'few' where there were too few samples for one."""
    if value is None:
        SHOWN.few += 1
        return "few"
    return format(value, spec)


# --- rounds --------------------------------------------------------------------------------

# One run of one side: returns the seconds it took to move `events` events.
Run = Callable[[], Awaitable[float]]


async def alternate(
    rounds: int, events: int, ours: Run, raw: Run, where: str = ""
) -> tuple[float, float]:
    """(median ours ev/s, median raw ev/s) over `rounds` rounds, raw first in even rounds,
    the machine settled before and after each timed run."""
    runs = {OURS: ours, RAW: raw}
    rates: dict[str, list[float]] = {OURS: [], RAW: []}
    for number in range(rounds):
        for side in sides(number):
            await settle(f"before {side}{' ' + where if where else ''}, round {number + 1}")
            async with costs.side(where or "run", side, events):
                seconds = await runs[side]()
            rates[side].append(events / seconds)
    await settle(f"after the last round{' of ' + where if where else ''}")
    return statistics.median(rates[OURS]), statistics.median(rates[RAW])


# One round that runs both sides itself (they share a set-up), ours first when told:
# (ours seconds, raw seconds). It calls `settle` between its sides itself.
PairedRun = Callable[[bool], Awaitable[tuple[float, float]]]


async def paired(rounds: int, events: int, run: PairedRun, where: str = "") -> tuple[float, float]:
    """(median ours ev/s, median raw ev/s) over `rounds` rounds of a run timing both sides,
    ours first in odd rounds, the machine settled before each round and after the last."""
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for number in range(rounds):
        await settle(f"before round {number + 1}{' of ' + where if where else ''}")
        ours_s, raw_s = await run(sides(number)[0] == OURS)
        ours_rates.append(events / ours_s)
        raw_rates.append(events / raw_s)
    await settle(f"after the last round{' of ' + where if where else ''}")
    return statistics.median(ours_rates), statistics.median(raw_rates)

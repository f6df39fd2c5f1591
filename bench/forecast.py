"""Backtest of the closing forecast (`python -m bench forecast`; part of `make bench`).

The history is synthetic and seeded (the same figures every run), made to look like a year of
the workshop: about two orders a working day, on the default pipeline until mid-year and then
on a version 2 that adds a day of varnishing after production (so the version fallback is
exercised); each stage's stay drawn from a log-normal around its own median (production the
longest, three weeks; slower in autumn, when the workshop is busiest), a fifth of the orders
going through rework, one in eight cancelled on the way. Measurement, delivery and
installation visits are booked during the stage before or at the stage's start, and the stage
ends a few hours after its visit.

The replay: for each closed order, at each of its stage entries, the forecast of its closing
made with only what was known then: the stays of orders closed before that moment, and the
visits booked before it. The error is the forecast's closing moment minus the real one, in
days. The same replay without visits, and with the stage limits alone (no history), say what
the medians and the visits add.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from contracts.pipeline import PipelineDefinition
from services.orders.domain.default_pipeline import DEFAULT_DEFINITION
from services.projections.domain.forecast import (
    Estimates,
    OpenOrder,
    PlanStage,
    Settings,
    Stay,
    forecast,
    optional_stages,
)

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # a Monday
DAYS = 365
V2_FROM = START + timedelta(days=182)
# Typical stays in hours (the log-normal's median) and their spread (sigma).
MEDIAN_HOURS = {
    "intake": 30.0,
    "measurement": 70.0,
    "contract": 90.0,
    "production": 400.0,
    "varnishing": 26.0,
    "shipment_prep": 40.0,
    "delivery": 30.0,
    "installation": 50.0,
    "rework": 100.0,
}
SIGMA = 0.55
REWORK_SHARE = 0.2
CANCEL_SHARE = 0.12
VISIT_STAGES = ("measurement", "delivery", "installation", "rework")


def _plan(definition: PipelineDefinition) -> list[PlanStage]:
    optional = optional_stages(definition.keys(), definition.forward)
    return [
        PlanStage(s.key, s.limit_hours, s.terminal, s.key in optional) for s in definition.stages
    ]


def plans() -> dict[int, list[PlanStage]]:
    v1 = _plan(PipelineDefinition.model_validate(DEFAULT_DEFINITION))
    at = [s.key for s in v1].index("production") + 1
    v2 = [*v1[:at], PlanStage("varnishing", 24.0), *v1[at:]]
    return {1: v1, 2: v2}


@dataclass
class Simulated:
    version: int
    entries: list[tuple[str, datetime]] = field(default_factory=list)  # stage, entered at
    visits: list[tuple[str, datetime, datetime]] = field(default_factory=list)  # kind, booked, ends
    closed_at: datetime | None = None


def _stay_hours(rng: random.Random, stage: str, at: datetime) -> float:
    busy = 1.3 if stage == "production" and at.month in (9, 10, 11) else 1.0
    return MEDIAN_HOURS[stage] * busy * math.exp(rng.gauss(0, SIGMA))


def simulate(seed: int = 13, days: int = DAYS) -> list[Simulated]:
    rng = random.Random(seed)
    known = plans()
    out: list[Simulated] = []
    for day in range(days):
        created_day = START + timedelta(days=day)
        if created_day.weekday() >= 5:
            continue
        for _ in range(_poisson(rng, 2.0)):
            at = created_day + timedelta(hours=rng.uniform(0, 9))
            version = 2 if at >= V2_FROM else 1
            plan = [s for s in known[version] if not s.terminal]
            path = [s.key for s in plan if not s.optional or rng.random() < REWORK_SHARE]
            cancel_at = rng.randrange(len(path)) if rng.random() < CANCEL_SHARE else None
            order = Simulated(version)
            for i, stage in enumerate(path):
                order.entries.append((stage, at))
                hours = _stay_hours(rng, stage, at)
                ends = at + timedelta(hours=hours)
                if stage in VISIT_STAGES:
                    # Booked at the stage's start (or during the one before, for delivery);
                    # the stage ends a few hours after the visit.
                    booked = order.entries[-2][1] if stage == "delivery" else at
                    visit_end = ends - timedelta(hours=min(hours / 2, rng.uniform(1, 8)))
                    order.visits.append((stage, booked, visit_end))
                at = ends
                if cancel_at == i:
                    order.entries.append(("cancelled", at))
                    break
            else:
                order.entries.append(("closed", at))
                order.closed_at = at
            out.append(order)
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _stays(order: Simulated) -> list[Stay]:
    assert order.closed_at is not None
    total: dict[str, float] = {}
    for (stage, entered), (_, left) in zip(order.entries, order.entries[1:], strict=False):
        total[stage] = total.get(stage, 0.0) + (left - entered).total_seconds()
    return [Stay(order.version, s, order.closed_at, sec) for s, sec in total.items()]


@dataclass(frozen=True)
class Figures:
    label: str
    count: int
    median_days: float
    p90_days: float


def backtest(orders: Sequence[Simulated], *, visits: bool = True, history: bool = True) -> Figures:
    known = plans()
    closed = sorted((o for o in orders if o.closed_at), key=lambda o: o.closed_at or START)
    moments = sorted(
        ((entered, o, stage) for o in closed for stage, entered in o.entries[:-1]),
        key=lambda m: m[0],
    )
    errors: list[float] = []
    stays: list[Stay] = []
    done = 0  # closed orders whose stays are in `stays`, oldest first
    estimates = Estimates([])
    for now, order, stage in moments:
        grew = False
        while history and done < len(closed) and (closed[done].closed_at or now) < now:
            stays += _stays(closed[done])
            done += 1
            grew = True
        if grew:  # the history moves only when an order closes: build it again only then
            estimates = Estimates(stays, Settings())
        booked = {k: ends for k, at, ends in order.visits if at <= now} if visits else {}
        open_order = OpenOrder(order.version, stage, now, visit_ends=booked)
        found = forecast(open_order, known[order.version], estimates, now)
        assert found is not None
        assert order.closed_at is not None
        errors.append(abs((found.expected_at - order.closed_at).total_seconds()) / 86400)
    label = (
        "rule (medians + visits)"
        if history and visits
        else ("medians, no visits" if history else "stage limits only")
    )
    deciles = statistics.quantiles(errors, n=10)
    return Figures(label, len(errors), statistics.median(errors), deciles[-1])


def run_forecast_backtest(seed: int = 13) -> list[str]:
    orders = simulate(seed)
    closed = sum(1 for o in orders if o.closed_at)
    lines = [
        f"closing forecast backtest: {len(orders)} synthetic orders over {DAYS} days, "
        f"{closed} closed (seed {seed})",
        "{:<30}{:>12}{:>12}{:>9}".format("", "forecasts", "median d", "p90 d"),
    ]
    runs = (
        backtest(orders),
        backtest(orders, visits=False),
        backtest(orders, visits=False, history=False),
    )
    lines.extend(
        f"  {f.label:<28}{f.count:>12,}{f.median_days:>12.1f}{f.p90_days:>9.1f}" for f in runs
    )
    return lines

"""The closing forecast: when each open order is expected to close. Pure (README, "Closing
forecast").

The rule. An order's remaining path is its current stage, then every later stage of its own
pipeline version up to the closing one, leaving out terminal stages and *optional* ones (a
stage a forward move can jump over, as `installation → closed` jumps over `rework`; see
`optional_stages`) unless the order is in it or a visit for it is booked. Each stage on the path
takes the median time that the last N closed orders spent in it (`Estimates`); the current
stage takes what is left of that median, never less than nothing. A booked visit replaces the
estimate of its stage (a visit of kind K stands for the stage keyed K): that stage ends when
the visit ends, or when the order reaches it if that is later.

The basis, weakest first used: `version` (the last N closed orders of the same pipeline
version that went through the stage, at least `min_samples` of them), `all_versions` (the
same over every version), `stage_limit` (the stage's own time limit from the pipeline: a
conservative stand-in, the most the company allows), `default` (no limit either). A row's
basis is the weakest any stage of its path used; `visit` only when visits decided them all.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from contracts.pipeline import CANCELLED

Basis = Literal["visit", "version", "all_versions", "stage_limit", "default"]
# From the strongest to the weakest: a row reports the weakest its stages used.
BASES: tuple[Basis, ...] = ("visit", "version", "all_versions", "stage_limit", "default")
COMPANY_TZ = ZoneInfo("Europe/Moscow")


@dataclass(frozen=True)
class Settings:
    last_n: int = 20  # closed orders per stage whose median is taken
    min_samples: int = 5  # fewer than this on the version: fall back to every version
    default_stage_hours: float = 72.0  # a stage with no history and no limit
    tz: ZoneInfo = COMPANY_TZ  # the day an order closes on, and the promise, are local days


@dataclass(frozen=True)
class PlanStage:
    """One stage of a pipeline version, in board order."""

    key: str
    limit_hours: float | None = None
    terminal: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Stay:
    """One closed order's whole time in one stage (stays summed when it came back)."""

    version: int
    stage: str
    closed_at: datetime
    seconds: float


@dataclass(frozen=True)
class OpenOrder:
    version: int
    stage: str
    stage_entered_at: datetime
    promised_date: date | None = None
    visit_ends: Mapping[str, datetime] | None = None  # booked visit's end per visit kind


@dataclass(frozen=True)
class Forecast:
    expected_at: datetime
    expected_close: date
    late: bool
    basis: Basis


def optional_stages(keys: Sequence[str], forward: Mapping[str, Sequence[str]]) -> set[str]:
    """Stages a forward move jumps over (`installation → closed` over `rework`). Moves to
    the refusal do not count: cancelling is not a way through the pipeline."""
    position = {k: i for i, k in enumerate(keys)}
    skipped: set[str] = set()
    for origin, targets in forward.items():
        for target in targets:
            if target == CANCELLED or origin not in position or target not in position:
                continue
            skipped.update(keys[position[origin] + 1 : position[target]])
    return skipped


class Estimates:
    """Median stage times over the last N closed orders, per version and over all versions.

    `stays` may hold more than it needs (any order); only each stage's latest N count, so a
    backtest can pass every stay closed before its moment."""

    def __init__(self, stays: Iterable[Stay], settings: Settings = Settings()) -> None:
        self.settings = settings
        by_version: dict[tuple[int, str], list[Stay]] = defaultdict(list)
        by_stage: dict[str, list[Stay]] = defaultdict(list)
        for stay in stays:
            by_version[(stay.version, stay.stage)].append(stay)
            by_stage[stay.stage].append(stay)
        self._version = {k: self._median(v) for k, v in by_version.items()}
        self._stage = {k: self._median(v) for k, v in by_stage.items()}

    def _median(self, stays: list[Stay]) -> tuple[int, float]:
        latest = sorted(stays, key=lambda s: s.closed_at, reverse=True)[: self.settings.last_n]
        return len(latest), statistics.median(s.seconds for s in latest)

    def seconds(self, version: int, stage: PlanStage) -> tuple[float, Basis]:
        enough = self.settings.min_samples
        for found, basis in (
            (self._version.get((version, stage.key)), "version"),
            (self._stage.get(stage.key), "all_versions"),
        ):
            if found is not None and found[0] >= enough:
                return found[1], basis  # type: ignore[return-value]
        if stage.limit_hours is not None:
            return stage.limit_hours * 3600, "stage_limit"
        return self.settings.default_stage_hours * 3600, "default"


def remaining_path(plan: Sequence[PlanStage], order: OpenOrder) -> list[PlanStage] | None:
    """The current stage and the later ones the order is expected to pass; None when the
    order is in a terminal stage or one its plan does not know."""
    keys = [s.key for s in plan]
    if order.stage not in keys:
        return None
    here = keys.index(order.stage)
    if plan[here].terminal:
        return None
    booked = order.visit_ends or {}
    later = [s for s in plan[here + 1 :] if not s.terminal and (not s.optional or s.key in booked)]
    return [plan[here], *later]


def forecast(
    order: OpenOrder,
    plan: Sequence[PlanStage] | None,
    estimates: Estimates,
    now: datetime,
) -> Forecast | None:
    """The expected closing of an open order at `now`; None when it cannot be said (a
    closed order, a pipeline version not heard of yet)."""
    path = remaining_path(plan, order) if plan else None
    if path is None:
        return None
    booked = order.visit_ends or {}
    cursor = now
    used: list[Basis] = []
    for i, stage in enumerate(path):
        visit_end = booked.get(stage.key)
        if visit_end is not None:
            cursor = max(cursor, visit_end)
            used.append("visit")
            continue
        seconds, basis = estimates.seconds(order.version, stage)
        used.append(basis)
        if i == 0:  # what is left of the typical stay, never less than nothing
            seconds = max(seconds - (now - order.stage_entered_at).total_seconds(), 0.0)
        cursor += timedelta(seconds=seconds)
    closes = cursor.astimezone(estimates.settings.tz).date()
    late = order.promised_date is not None and closes > order.promised_date
    return Forecast(cursor, closes, late, weakest(used))


def weakest(used: Iterable[Basis]) -> Basis:
    """The weakest basis among the estimates (visits are facts, not estimates)."""
    estimated = [b for b in used if b != "visit"]
    return max(estimated, key=BASES.index) if estimated else "visit"

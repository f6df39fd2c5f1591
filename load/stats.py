"""The load run's arithmetic, kept pure so it is unit tested: percentiles, what counts as an
error, one rate step's figures, the breaking point, and the soak's 10 % comparison."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MAX_ERROR_RATIO = 0.01  # a step holds when under 1 % of its requests failed...
MAX_P99_S = 1.0  # ...and its p99 is under a second
MAX_DRIFT = 0.10  # the soak: minute 10 and minute 60 differ by less than 10 %
# ...or by this many at most, for counts (connections, processes): a pool opens and closes a
# connection or two with the moment's concurrency; a leak grows past any such slack.
COUNT_SLACK = 2
# ...or by less than this, for a process's own memory: the broker keeps about 3 MB of its own,
# and one buffer more is 10 % of that. Every service of ours has 60 MB or more, where 10 % is
# several times this, so it never hides a leak of theirs.
OWN_MB_SLACK = 1.0
# Kinds of figure shown for every process but not held to the rule, with the reason.
NOT_JUDGED_KINDS: dict[str, str] = {
    # A connection a peer opened to this process is counted where it was opened (the
    # gateway's pool to a service is the gateway's "connections"): judged there, once.
    "accepted": "opened by the peer: judged there",
}
# Figures shown but not held to the 10 %, each with the reason (printed beside it).
NOT_JUDGED: dict[tuple[str, str], str] = {
    # RSS counts each page of the shared buffer pool a process has touched: it climbs until
    # the pool is full. Their own (anonymous) memory is judged instead.
    ("postgres", "rss_mb"): "counts the shared buffer pool",
    ("postgres backends", "rss_mb"): "counts the shared buffer pool",
    # rclone, the local stand-in for S3, keeps an entry per stored object in memory (about
    # 3.4 KB each, measured on its own: 6,000 objects, +20 MB): it grows with the data kept,
    # every broker batch and photo of the hour. Production's object store is not ours.
    ("object-store", "rss_mb"): "grows with objects stored",
    ("object-store", "own_mb"): "grows with objects stored",
}

# Answers that say the system failed the caller. 404 and 409 are not among them: in this
# workload they mean "the read side has not caught up yet" (a booking before scheduling heard
# of the order, a gate whose fact is on its way), which the script waits out, as a person would.
ERROR_STATUSES = frozenset({401, 403, 408, 413, 422, 429})

Outcome = int | str  # an HTTP status, or "timeout", "connection", "shed"


def is_error(outcome: Outcome) -> bool:
    if isinstance(outcome, str):
        return True
    return outcome >= 500 or outcome in ERROR_STATUSES


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of values, which need not be sorted: the
    smallest value with at least q % of the values at or below it. 0.0 for no values."""
    if not values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0..100")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Endpoint:
    latencies: list[float] = field(default_factory=list)  # seconds, of answered requests
    outcomes: Counter[Outcome] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.outcomes.values())

    @property
    def errors(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if is_error(outcome))


@dataclass
class Recorder:
    """Every request's endpoint, time to answer and outcome, for the step under way."""

    endpoints: defaultdict[str, Endpoint] = field(default_factory=lambda: defaultdict(Endpoint))

    def record(self, endpoint: str, seconds: float | None, outcome: Outcome) -> None:
        seen = self.endpoints[endpoint]
        seen.outcomes[outcome] += 1
        if seconds is not None:
            seen.latencies.append(seconds)

    def take(self) -> dict[str, Endpoint]:
        """What was recorded since the last take; recording starts afresh."""
        taken = dict(self.endpoints)
        self.endpoints = defaultdict(Endpoint)
        return taken


@dataclass(frozen=True)
class Row:
    endpoint: str
    count: int
    errors: int
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class Step:
    """One offered rate held for a while, and what came of it."""

    rate: float  # requests offered per second by the mix (stream-driven reads come on top)
    streams: int  # live streams open through the step
    seconds: float
    rows: tuple[Row, ...]
    p99: float  # over every request of the step (streams' openings excluded)
    errors: Counter[str]  # by outcome
    stack_cpu: float = 0.0  # cores the stack's processes used on average through the step
    own_cpu: float = 0.0  # ...and the load generator

    @property
    def requests(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_ratio(self) -> float:
        return sum(self.errors.values()) / self.requests if self.requests else 0.0

    @property
    def holds(self) -> bool:
        return self.requests > 0 and self.error_ratio < MAX_ERROR_RATIO and self.p99 < MAX_P99_S


def summarise(
    rate: float,
    streams: int,
    seconds: float,
    endpoints: Mapping[str, Endpoint],
    untimed: Iterable[str] = (),
) -> Step:
    """A step's figures; `untimed` endpoints (a stream's opening: it answers at once and then
    lasts for minutes) are counted and their errors kept, but stay out of the p99."""
    skip = set(untimed)
    rows = []
    every: list[float] = []
    errors: Counter[str] = Counter()
    for name in sorted(endpoints):
        seen = endpoints[name]
        rows.append(
            Row(
                name,
                seen.count,
                seen.errors,
                percentile(seen.latencies, 50),
                percentile(seen.latencies, 95),
                percentile(seen.latencies, 99),
            )
        )
        if name not in skip:
            every.extend(seen.latencies)
        for outcome, n in seen.outcomes.items():
            if is_error(outcome):
                errors[str(outcome)] += n
    return Step(rate, streams, seconds, tuple(rows), percentile(every, 99), errors)


def breaking_point(steps: Sequence[Step]) -> Step | None:
    """The highest offered rate that held (errors under 1 %, p99 under 1 s), provided every
    lower rate held too: a rate past the first failure that happens to pass is luck, not
    capacity. None when even the first step failed."""
    best: Step | None = None
    for step in sorted(steps, key=lambda s: s.rate):
        if not step.holds:
            break
        best = step
    return best


@dataclass(frozen=True)
class Drift:
    name: str
    what: str  # "rss", "connections", "rows"...
    before: float
    after: float

    @property
    def change(self) -> float:
        """after relative to before: +0.05 is 5 % more. Growth from nothing is +inf."""
        if self.before == 0:
            return 0.0 if self.after == 0 else math.inf
        return (self.after - self.before) / self.before

    @property
    def not_judged(self) -> str | None:
        """Why this figure is shown but not held to the rule, or None."""
        return NOT_JUDGED.get((self.name, self.what)) or NOT_JUDGED_KINDS.get(self.what)

    @property
    def ok(self) -> bool:
        if self.not_judged:
            return True
        if not self.what.endswith("_mb") and abs(self.after - self.before) <= COUNT_SLACK:
            return True
        if self.what == "own_mb" and abs(self.after - self.before) < OWN_MB_SLACK:
            return True
        return abs(self.change) < MAX_DRIFT


def drifts(
    before: Mapping[str, Mapping[str, float]], after: Mapping[str, Mapping[str, float]]
) -> list[Drift]:
    """Each process's figures at the two minutes, side by side; one that is gone (or new) at
    the second shows 0 there, which is a drift of 100 % (or from nothing)."""
    found: list[Drift] = []
    for name in sorted(set(before) | set(after)):
        was, now = before.get(name, {}), after.get(name, {})
        found.extend(
            Drift(name, what, was.get(what, 0.0), now.get(what, 0.0))
            for what in sorted(set(was) | set(now))
        )
    return found

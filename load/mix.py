"""The business's mix, per 100 requests a client sends of its own accord, and the order they
come in. Live streams are not in it: they are held open (see streams.py), and the reads they
cause (an open board re-reads the card a `board` frame names, as the web app does) come on top
of the offered rate, as they do in the office.

The weights are a working day as the case study describes it: office PCs keep the board open
and re-open cards all day, managers move orders through their gates (a command: a step of an
order's script, with its uploads), measurers and installers look at their day on phones, and
the director reads reports a few times an hour.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

MIX: Mapping[str, int] = {
    "command": 30,  # an order's next step: create, upload, move, book, photos, complete...
    "card": 22,  # an order's card
    "board": 12,  # the whole board (a page opened, a filter changed)
    "tasks": 10,  # a crew member's day on the phone
    "history": 6,  # an order's history
    "comments": 5,
    "notifications": 6,  # the inbox
    "schedule": 5,  # a measurer's week, while booking
    "report": 4,  # funnel, stage durations, overdue, workload in turn
}

# Open live streams per request/s offered: office PCs and phones left open all day far
# outnumber those that are busy at any moment.
STREAMS_PER_RATE = 2.0
MIN_STREAMS = 10


def schedule(weights: Mapping[str, int]) -> Iterator[str]:
    """The kinds in proportion to their weights, spread evenly (smooth weighted round robin,
    as nginx balances upstreams): with weights 3 and 1, `a a b a`, never `a a a b` bunched,
    and in any window of sum(weights) picks each kind exactly its weight."""
    if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) == 0:
        raise ValueError(f"weights must be non-negative with a positive sum: {dict(weights)}")
    total = sum(weights.values())
    current = dict.fromkeys(weights, 0)
    while True:
        for kind, weight in weights.items():
            current[kind] += weight
        chosen = max(current, key=lambda k: current[k])  # the first of equals: stable
        current[chosen] -= total
        yield chosen


def streams_for(rate: float, per_rate: float = STREAMS_PER_RATE, least: int = MIN_STREAMS) -> int:
    return max(least, round(rate * per_rate))


def ramp(first: float, last: float, factor: float = 1.5) -> list[float]:
    """Rates from `first` growing by `factor` (rounded to whole requests/s) up to `last`."""
    if first <= 0 or factor <= 1 or last < first:
        raise ValueError("a ramp needs 0 < first <= last and a factor above 1")
    rates: list[float] = []
    rate = first
    while rate <= last:
        whole = float(round(rate))
        if not rates or whole > rates[-1]:
            rates.append(whole)
        rate *= factor
    return rates

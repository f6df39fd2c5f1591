"""Projection freshness on /metrics.

`projection_lag_seconds`: how old the last applied event was when we applied it (occurred_at
to now), the time a reader waits for a fact to show. Events behind are the consumer's
`consumer_lag_messages{group="projections"}` (end offsets minus positions, set by its
watchdog); `projection_lag_events` mirrors the inbox count so a dashboard can see progress.
`projection_last_applied_timestamp_seconds`: when the last event was applied, so that
`time() - it` is the age of what the read models hold — which keeps growing during an outage,
when nothing is applied and the per-event lag cannot move (the OmsProjectionsStale alert).
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

from plumbing.metrics import REGISTRY

LAG_SECONDS = Gauge(
    "projection_lag_seconds",
    "Age of the last event applied to the read models when it was applied",
    registry=REGISTRY,
)
LAG_HISTOGRAM = Histogram(
    "projection_apply_delay_seconds",
    "occurred_at to applied, per event",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
APPLIED = Counter(
    "projection_events_applied_total", "Events applied to the read models", registry=REGISTRY
)
LAST_APPLIED = Gauge(
    "projection_last_applied_timestamp_seconds",
    "Unix time the read models last applied an event",
    registry=REGISTRY,
)
LAG_EVENTS = Gauge(
    "projection_lag_events",
    "Events published to the projections' topics and not yet applied",
    registry=REGISTRY,
)


def observe(occurred_at: datetime, now: datetime) -> None:
    delay = max(0.0, (now - occurred_at).total_seconds())
    LAG_SECONDS.set(delay)
    LAG_HISTOGRAM.observe(delay)
    APPLIED.inc()
    LAST_APPLIED.set(now.timestamp())

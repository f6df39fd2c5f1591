"""Prometheus metrics shared by every service; served as text at /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests served",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
)
RELAY_LAG = Gauge(
    "relay_lag_events", "Events in the log not yet published", ["log"], registry=REGISTRY
)
RELAY_PUBLISHED = Counter(
    "relay_published_total", "Events published to the broker", ["log"], registry=REGISTRY
)
RELAY_REPUBLISHES = Counter(
    "relay_republish_total",
    "Times the relay found the broker had lost data and republished its log",
    ["log"],
    registry=REGISTRY,
)
RELAY_LEADER = Gauge(
    "relay_is_leader", "1 when this replica holds the relay lock", ["log"], registry=REGISTRY
)
CONSUMER_LAG = Gauge(
    "consumer_lag_messages",
    "Messages behind the end of the partition",
    ["group"],
    registry=REGISTRY,
)
EVENTS_PROCESSED = Counter(
    "events_processed_total",
    "Events taken by a consumer",
    ["group", "outcome"],
    registry=REGISTRY,
)
CONSUMER_REBUILDS = Counter(
    "consumer_rebuilds_total",
    "Consumer restarts after broker loss or a stall",
    ["group"],
    registry=REGISTRY,
)

# The alert for a mixed-release rollout: a consumer met an event of a newer release (a type or
# schema version it cannot read) and holds that partition there until a newer release takes it.
CONSUMER_BLOCKED = Gauge(
    "consumer_blocked_partitions",
    "Partitions stopped at an event this release cannot read; a newer release must consume them",
    ["group"],
    registry=REGISTRY,
)

# A dependency this process uses but does not need to serve its own requests (the broker, the
# object store, the services behind the gateway): 1 reachable, 0 not, as /readyz last saw it.
# Its outage is an alert, not a reason to leave rotation (API.md, /readyz).
DEPENDENCY_UP = Gauge(
    "dependency_up",
    "1 when the dependency answered the last readiness probe, else 0",
    ["dependency"],
    registry=REGISTRY,
)


def blocked_partitions() -> dict[str, int]:
    """Per consumer group of this process, its blocked partitions (groups with none left out)."""
    return {
        sample.labels["group"]: int(sample.value)
        for metric in CONSUMER_BLOCKED.collect()
        for sample in metric.samples
        if sample.value
    }


def render() -> bytes:
    return generate_latest(REGISTRY)

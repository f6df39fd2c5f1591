"""Topic names and partition keys. One topic per emitting service; key = aggregate id."""

from __future__ import annotations

from typing import Final

ORDERS: Final = "orders.events"
SCHEDULING: Final = "scheduling.events"
MEDIA: Final = "media.events"
NOTIFICATIONS: Final = "notifications.events"
IDENTITY: Final = "identity.events"

ALL_TOPICS: Final = (ORDERS, SCHEDULING, MEDIA, NOTIFICATIONS, IDENTITY)


def topic_for(event_type: str) -> str:
    """`orders.OrderCreated` is published on `orders.events`: the prefix names the owner."""
    prefix = event_type.split(".", 1)[0]
    topic = f"{prefix}.events"
    if topic not in ALL_TOPICS:
        raise ValueError(f"event type {event_type!r} has no topic")
    return topic


def partition_key(stream_id: str) -> bytes:
    """Kafka key: the aggregate id, so one aggregate's events keep their order.

    Stream ids look like `order-<uuid>`; the key is the whole stream id, which is stable.
    """
    return stream_id.encode()

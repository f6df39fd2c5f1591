"""Partitions a consumer holds at an event of a newer release.

During a rolling upgrade an old release runs beside a newer one in the same consumer group.
When the old one meets an event type or schema version it cannot read, skipping it would mark
it processed (its offset committed, maybe its inbox row written) and lose it for every release
to come. So the partition stops there instead: paused, its offset never committed past the
event, an alert raised. Other partitions keep flowing. A rebalance or a rebuild reads it again
from the committed offset and stops again; a newer release given the partition reads on from
the event itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from plumbing import metrics

log = logging.getLogger(__name__)


class BlockedPartitions:
    def __init__(self, group: str) -> None:
        self.group = group
        self._at: dict[TopicPartition, int] = {}  # the offset of the event it stopped at
        # Each event is reported as an error once per process, not again after every
        # rebalance or rebuild that meets it anew (the gauge says it is still there).
        self._reported: set[tuple[str, int, int]] = set()

    def __contains__(self, tp: object) -> bool:
        return tp in self._at

    def __len__(self) -> int:
        return len(self._at)

    def stop(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        record: ConsumerRecord[bytes, bytes],
        why: LookupError,
    ) -> None:
        consumer.pause(tp)
        # Back to the event itself: the lag we report counts it, and aiokafka drops what it had
        # fetched beyond it for a paused partition.
        consumer.seek(tp, record.offset)
        self._at[tp] = record.offset
        self._show()
        metrics.EVENTS_PROCESSED.labels(self.group, "blocked").inc()
        where = (record.topic, record.partition, record.offset)
        if where in self._reported:
            log.info("consumer %s holds %s:%s at offset %s again: %s", self.group, *where, why)
            return
        self._reported.add(where)
        log.error(
            "consumer %s holds partition %s:%s at offset %s, uncommitted: %s: %s. This release "
            "cannot read that event; it waits there for a release that can to consume group %s.",
            self.group,
            *where,
            type(why).__name__,
            why,
            self.group,
        )

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        """These partitions will be read again from an earlier offset (revoked, rewound, or the
        consumer rebuilt): if the event is still there, they stop at it again."""
        for tp in partitions:
            self._at.pop(tp, None)
        self._show()

    def clear(self) -> None:
        self.forget(list(self._at))

    def _show(self) -> None:
        metrics.CONSUMER_BLOCKED.labels(self.group).set(len(self._at))

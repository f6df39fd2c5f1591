"""aiokafka factories and broker probes. The only module here that knows aiokafka's API."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)


def producer(settings: ServiceSettings) -> AIOKafkaProducer:
    # acks=all always; idempotence only where the broker supports it (not the local one).
    # Correctness never depends on it: consumers dedupe by event id.
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=2,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
        metadata_max_age_ms=5000,
    )


def group_consumer(settings: ServiceSettings, group: str) -> AIOKafkaConsumer:
    """A consumer in `group` that commits by hand, after the database has the effect."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",  # no committed offset: the broker forgot us, or new
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=max(500, settings.kafka_session_timeout_ms // 6),
        metadata_max_age_ms=5000,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
    )


async def existing_topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int) -> list[str]:
    """Create missing topics with our partition count (auto-creation would use the broker's).

    Returns the topics that had to be created.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        have = set(await admin.list_topics())
        missing = [t for t in topics if t not in have]
        if missing:
            # Another service may create one between our list and create: that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
        return missing
    finally:
        await admin.close()


class OffsetProbe:
    """Reads partition end offsets without joining a group (used to detect broker data loss)."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
        )
        self._started = False

    async def end_offsets(
        self, partitions: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], int]:
        if not self._started:
            await self._consumer.start()
            self._started = True
        tps = [TopicPartition(t, p) for t, p in partitions]
        if not tps:
            return {}
        ends = await self._consumer.end_offsets(tps)
        return {(tp.topic, tp.partition): int(off) for tp, off in ends.items()}

    async def close(self) -> None:
        # Always stop, started or not: an unstarted consumer still owns a client to close.
        self._started = False
        try:
            await self._consumer.stop()
        except KafkaError:
            log.debug("probe stop failed", exc_info=True)

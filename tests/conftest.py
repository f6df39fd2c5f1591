"""Session-wide real components: PostgreSQL, the Kafka-protocol broker, the S3 server.

Started once per test session from the same wheels `make run` uses, unless DATABASE_URL /
KAFKA_BOOTSTRAP / S3_ENDPOINT point at servers that already run. Each test session works in
a fresh database of its own, dropped at the end. `stack`, the whole system, lives here too, so
that tests/e2e and tests/browser share one per session.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from deploy.local.broker import LocalBroker
from deploy.local.object_store import LocalObjectStore
from deploy.local.ports import free_port
from deploy.local.postgres import LocalPostgres
from deploy.local.stack import Stack
from plumbing import db

# Sets INTERNAL_SIGNING_KEY for the session before any service's settings are read.
from tests import actors  # noqa: F401
from tests.netproxy import NetProxy


@dataclass
class Infra:
    server_url: str
    kafka_bootstrap: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    broker: LocalBroker | None


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    root: Path = tmp_path_factory.mktemp("components")
    started: list[LocalPostgres | LocalBroker | LocalObjectStore] = []
    cleanup: list[Path] = []
    try:
        server_url = os.environ.get("DATABASE_URL")
        if not server_url:
            # PostgreSQL runs as `nobody` when we are root: its folder must be reachable by
            # that user, which pytest's private temp folders are not.
            pg_root = Path(tempfile.mkdtemp(prefix="oms-test-pg-"))
            pg_root.chmod(0o755)
            cleanup.append(pg_root)
            pg = LocalPostgres(pg_root / "pg", free_port(), log_dir=root / "logs")
            pg.start()
            started.append(pg)
            server_url = pg.url
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
        broker = None
        if not bootstrap:
            broker = LocalBroker(free_port(), log_dir=root / "logs")
            broker.start()
            started.append(broker)
            bootstrap = broker.bootstrap
        endpoint = os.environ.get("S3_ENDPOINT")
        access = os.environ.get("S3_ACCESS_KEY", "")
        secret = os.environ.get("S3_SECRET_KEY", "")
        if not endpoint:
            access, secret = "oms" + secrets.token_hex(10), secrets.token_hex(20)
            store = LocalObjectStore(
                root / "s3", free_port(), access, secret, log_dir=root / "logs"
            )
            store.start()
            started.append(store)
            endpoint = store.endpoint
        yield Infra(server_url, bootstrap, endpoint, access, secret, broker)
    finally:
        for component in reversed(started):
            component.stop()
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def net(infra: Infra) -> Iterator[NetProxy]:
    """The proxy between the browser tests' pages and the shared stack (tests/netproxy.py):
    `net.gateway_url` and `net.s3_url`, `offline()`, `online()`, `cut_upload_after(n)`.
    Every presigned URL of the shared stack points at `net.s3_url`."""
    proxy = NetProxy()
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def stack(infra: Infra, net: NetProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole system as `make run` starts it, once per test session, in a temp data folder.

    It shares the session's PostgreSQL server (its own database), but runs its own S3 server and
    broker, as `make run` does: the broker keeps its log in that S3 server (a restart is not a
    replay), and killing the broker here disturbs no other test. Defined here, not in
    tests/e2e, so that tests/e2e and tests/browser get the same one.
    """
    # Imported here: own_stack imports Infra from this module.
    from tests.e2e.own_stack import own_stack  # noqa: PLC0415

    with own_stack(
        infra, tmp_path_factory.mktemp("stack"), "e2e", s3_public_endpoint=net.s3_url
    ) as running:
        net.point("gateway", running.urls["gateway"])
        net.point("s3", running.urls["s3"])
        yield running


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
async def database_url(infra: Infra) -> AsyncIterator[str]:
    """A fresh database for this test session on the session's PostgreSQL server."""
    name = f"oms_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(infra.server_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    yield _with_database(infra.server_url, name)
    admin = await asyncpg.connect(infra.server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def schema_pool(database_url: str) -> AsyncIterator[tuple[asyncpg.Pool, str]]:
    """A pool on a schema no other test uses."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pool = await db.create_pool(database_url, schema, max_size=30)
    yield pool, schema
    await pool.close()

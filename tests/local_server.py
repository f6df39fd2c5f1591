"""A test's own HTTP server in the test's event loop (uvicorn): the fakes of outside services
(Telegram's Bot API, SMS.ru, a Web Push endpoint) serve their app through this."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI

from deploy.local.ports import free_port


@contextlib.asynccontextmanager
async def serving(app: FastAPI, what: str) -> AsyncIterator[str]:
    """Serves `app` on a free local port while the block runs; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), f"{what} did not start"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)

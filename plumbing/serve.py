"""Run a service's FastAPI app with uvicorn, configured from its settings."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from plumbing.logging import configure
from plumbing.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    configure(settings.service_name, settings.log_level)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our JSON logging
        access_log=False,
        timeout_graceful_shutdown=5,
    )

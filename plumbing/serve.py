"""Run a service's FastAPI app with uvicorn, configured from its settings."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from prometheus_client import start_http_server

from plumbing import metrics, tracing
from plumbing.http_guard import HttpLimits, guarded_protocol
from plumbing.logging import configure
from plumbing.settings import ServiceSettings

# Longer than any caller keeps an idle connection (the gateway: 15 s, see
# gateway/adapters/upstream.py), so it is always the caller that closes one: a server that
# closes first can race a request being sent on it.
KEEP_ALIVE_S = 20


def limits(settings: ServiceSettings) -> HttpLimits:
    return HttpLimits(
        max_head_bytes=settings.http_max_head_bytes,
        max_body_bytes=settings.http_max_body_bytes,
        head_timeout_s=settings.http_head_timeout_s,
        body_idle_timeout_s=settings.http_body_idle_timeout_s,
        body_timeout_s=settings.http_body_timeout_s,
    )


def start_metrics_server(settings: ServiceSettings) -> Callable[[], None] | None:
    """/metrics alone on METRICS_PORT, when set: in Kubernetes the network policy lets
    Prometheus reach only that port, never the API's, where a caller could try its luck.
    prometheus_client's own server, in a thread; returns how to stop it."""
    if not settings.metrics_port:
        return None
    server, thread = start_http_server(
        settings.metrics_port, addr=settings.host, registry=metrics.REGISTRY
    )

    def stop() -> None:
        server.shutdown()
        thread.join()

    return stop


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    configure(settings.service_name, settings.log_level)
    start_metrics_server(settings)
    if tracing.setup(settings.service_name):  # OTEL_EXPORTER_OTLP_ENDPOINT set
        tracing.instrument(app)
    tls = bool(settings.tls_cert_file and settings.tls_key_file)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ssl_certfile=settings.tls_cert_file if tls else None,
        ssl_keyfile=settings.tls_key_file if tls else None,
        log_config=None,  # keep our JSON logging
        access_log=False,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_S,
        # uvicorn would otherwise take the client's address from X-Forwarded-For whenever the
        # peer is 127.0.0.1, so any local process could claim any address (issue 14). The
        # gateway reads the header itself, from configured proxies only
        # (gateway/domain/client_address.py); no service behind it needs it.
        proxy_headers=False,
        loop=settings.event_loop,
        # uvicorn's h11 protocol with size limits, deadlines and JSON refusals (see
        # http_guard.py); a class, not "auto", so it never silently becomes httptools.
        http=guarded_protocol(limits(settings)),
    )

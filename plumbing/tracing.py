"""Traces (OpenTelemetry): one trace from the gateway through every service and across Kafka.

On when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) names an OTLP/HTTP collector, the
OpenTelemetry standard variables deciding the rest (OTEL_SERVICE_NAME, sampling, headers);
off otherwise, and then every call here is a no-op (the API's default provider).

- HTTP: each service's FastAPI app is instrumented (a server span per request, the probes
  and /metrics left out), and httpx (the gateway's calls to the services, services' calls to
  each other) carries the W3C `traceparent` header, so a service's span is a child of the
  caller's.
- Kafka: an event is appended to its service's log with the context of the span that made it
  (`trace_context`, beside the envelope, never in it: the envelope is the contract every
  release reads); the relay publishes it as the record's `traceparent`/`tracestate` headers,
  and the consumer applies the event inside a span that continues that trace — so what a
  robot does because of a stage change, and the events it appends, are in the order's trace.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind

log = logging.getLogger(__name__)

_EXCLUDED = "healthz,readyz,metrics"

_provider: TracerProvider | None = None


def enabled_by(environ: Mapping[str, str]) -> bool:
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def setup(service_name: str, exporter: SpanExporter | None = None) -> bool:
    """Start exporting this process's spans, once; True when tracing is on. `exporter` is
    for tests; by default OTLP over HTTP to the standard variables' endpoint."""
    global _provider  # noqa: PLW0603 - one provider per process, as OpenTelemetry has it
    if _provider is not None:
        return True
    if exporter is None:
        if not enabled_by(os.environ):
            return False
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        exporter = OTLPSpanExporter()
    name = os.environ.get("OTEL_SERVICE_NAME") or service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: PLC0415

    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    log.info("tracing on: spans of %s exported over OTLP", name)
    return True


def flush() -> None:
    if _provider is not None:
        _provider.force_flush()


def shutdown() -> None:
    """Export what is left and stop (a process ending; a test done with tracing)."""
    global _provider  # noqa: PLW0603
    if _provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: PLC0415

    HTTPXClientInstrumentor().uninstrument()
    _provider.shutdown()
    _provider = None


def instrument(app: Any) -> None:
    """A server span per request of this FastAPI app (when tracing is on)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor  # noqa: PLC0415

    FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls=_EXCLUDED)


def carrier() -> dict[str, str] | None:
    """The current span's context as the log stores it (`traceparent`, `tracestate`), or
    None outside any span (and always while tracing is off)."""
    found: dict[str, str] = {}
    propagate.inject(found)
    return found or None


def headers(stored: str | Mapping[str, str] | None) -> list[tuple[str, bytes]]:
    """A stored context (the jsonb column, decoded or not) as Kafka record headers."""
    if not stored:
        return []
    found = json.loads(stored) if isinstance(stored, str) else stored
    return [(k, str(v).encode()) for k, v in found.items()]


@contextmanager
def consuming(
    record_headers: Sequence[tuple[str, bytes]] | None, name: str, attributes: dict[str, Any]
) -> Iterator[None]:
    """Apply a consumed event inside a span continuing the trace its record carries."""
    if _provider is None:
        yield
        return
    carrier = {k: v.decode(errors="replace") for k, v in record_headers or ()}
    parent = propagate.extract(carrier)
    tracer = _provider.get_tracer("oms.consumer")
    token = otel_context.attach(parent)
    try:
        with tracer.start_as_current_span(name, kind=SpanKind.CONSUMER, attributes=attributes):
            yield
    finally:
        otel_context.detach(token)

"""One trace from the gateway through a service and across Kafka (plumbing/tracing.py),
exported over OTLP/HTTP to a local receiver (tests/otlp_receiver.py), over the real broker
and PostgreSQL: a request to a gateway-like app calls a service over HTTP (the `traceparent`
header), the service appends an event to its outbox in its request's span, the relay publishes
it with that context in the record's headers, and a consumer applies it in a span of the same
trace, child of the service's. Tracing off (no endpoint): nothing stored, no headers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

from contracts.envelope import Envelope
from contracts.topics import IDENTITY
from deploy.local.ports import free_port
from plumbing import tracing
from plumbing.consumer import Consumer
from plumbing.db import Conn
from plumbing.ordered_log import START, Outbox
from plumbing.relay import Relay
from tests.conftest import Infra
from tests.integration.helpers import eventually, running, settings_for, user_event
from tests.otlp_receiver import Received, receiving

SERVER, CLIENT, CONSUMER = 2, 3, 5  # OTLP's span kinds


@pytest.fixture
async def receiver() -> AsyncIterator[Received]:
    with receiving() as received:
        exporter = OTLPSpanExporter(endpoint=f"{received.url}/v1/traces")
        assert tracing.setup("oms-test", exporter)
        try:
            yield received
        finally:
            tracing.shutdown()  # the rest of the session runs untraced, as it did


def apps(outbox: Outbox, event: Envelope, service_url: str) -> tuple[FastAPI, FastAPI]:
    """The gateway-like app calls the service over real HTTP (the instrumented transport)."""
    service = FastAPI()

    @service.post("/do")
    async def do() -> dict[str, str]:
        async with outbox.pool.acquire() as conn, conn.transaction():
            await outbox.append(conn, [event])
        return {"ok": "yes"}

    gateway = FastAPI()

    @gateway.post("/go")
    async def go() -> dict[str, str]:
        async with httpx.AsyncClient(base_url=service_url) as client:
            reply = await client.post("/do")
        return dict(reply.json())

    tracing.instrument(service)
    tracing.instrument(gateway)
    return gateway, service


@asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def test_a_request_and_the_events_it_makes_are_one_trace_across_http_and_kafka(
    receiver: Received, outbox: Outbox, infra: Infra, database_url: str
) -> None:
    pool = outbox.pool
    event = user_event()
    seen: dict[uuid.UUID, str] = {}

    async def handler(conn: Conn, env: Envelope) -> None:
        seen[env.event_id] = format(trace.get_current_span().get_span_context().trace_id, "032x")

    port = free_port()
    gateway, service = apps(outbox, event, f"http://127.0.0.1:{port}")
    async with (
        serving(service, port),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client,
    ):
        assert (await client.post("/go")).status_code == 200
    stored = await pool.fetchval(
        "SELECT trace_context FROM outbox WHERE event_id = $1", event.event_id
    )
    assert set(stored) >= {"traceparent"}

    settings = settings_for(infra, database_url, outbox.name.split(".")[0])
    consumer = Consumer(f"trace-{uuid.uuid4().hex[:8]}", [IDENTITY], pool, settings, handler)
    async with running(Relay(outbox, pool, settings, [IDENTITY]).run, consumer.run):

        async def applied() -> bool:
            return event.event_id in seen

        await eventually(applied)
    tracing.flush()

    async def exported() -> bool:
        return bool(receiver.named(f"consume {event.type}"))

    await eventually(exported)
    (entry,) = receiver.named("POST /go")
    (call,) = [s for s in receiver.spans if s.kind == CLIENT and s.trace_id == entry.trace_id]
    (served,) = receiver.named("POST /do")
    consumed = [s for s in receiver.named(f"consume {event.type}")
                if s.attributes.get("messaging.message.id") == str(event.event_id)]  # fmt: skip
    assert len(consumed) == 1
    assert entry.kind == SERVER
    assert served.kind == SERVER
    assert consumed[0].kind == CONSUMER
    assert {entry.trace_id, call.trace_id, served.trace_id, consumed[0].trace_id} == {
        entry.trace_id
    }
    assert call.parent_id != ""
    assert served.parent_id == call.span_id  # across HTTP: the caller's client span
    assert consumed[0].parent_id == served.span_id  # across Kafka: the span that made it
    assert seen[event.event_id] == entry.trace_id  # the handler runs inside that trace
    assert consumed[0].attributes["messaging.destination.name"] == IDENTITY
    assert {s.service for s in receiver.spans} == {"oms-test"}


async def test_with_tracing_off_nothing_is_stored_or_sent(outbox: Outbox) -> None:
    assert tracing.carrier() is None
    event = user_event()
    async with outbox.pool.acquire() as conn, conn.transaction():
        await outbox.append(conn, [event])
    stored = await outbox.pool.fetchval(
        "SELECT trace_context FROM outbox WHERE event_id = $1", event.event_id
    )
    assert stored is None
    (record,) = [r for r in await outbox.read_after(START, 100) if r.value != b""]
    assert record.headers == []
    assert tracing.enabled_by({}) is False
    assert tracing.enabled_by({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    await asyncio.sleep(0)

"""Traces through the whole system (plumbing/tracing.py): a stack of its own exporting to a
local OTLP receiver (tests/otlp_receiver.py). Creating an order is one trace from the gateway
through the orders service and, across Kafka, into every service that reacts to it; an
upload's declaration is one trace from the gateway into media."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import httpx
import pytest

from deploy.local.stack import Stack
from tests.conftest import Infra
from tests.e2e.conftest import login
from tests.e2e.own_stack import own_stack
from tests.otlp_receiver import Received, Span, receiving

ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"


@pytest.fixture(scope="module")
def traced(
    infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, Received]]:
    with receiving() as received:
        # The stack's processes inherit it as they start; this process never sets tracing up.
        os.environ[ENDPOINT] = received.url
        try:
            running = own_stack(infra, tmp_path_factory.mktemp("traced"), "traced")
            stack = running.__enter__()
        finally:
            del os.environ[ENDPOINT]
        try:
            yield stack, received
        finally:
            running.__exit__(None, None, None)


async def trace_of(received: Received, name: str, service: str) -> list[Span]:
    """Every span of the trace whose `service` span is called `name`, once it has come."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        with received.lock:
            roots = [s for s in received.spans if s.name == name and s.service == service]
            spans = list(received.spans)
        if roots:
            return [s for s in spans if s.trace_id == roots[-1].trace_id]
        assert asyncio.get_running_loop().time() < deadline, f"no span {name} from {service}"
        await asyncio.sleep(0.5)


def test_an_order_is_one_trace_from_the_gateway_across_kafka_to_every_reaction(
    traced: tuple[Stack, Received],
) -> None:
    stack, received = traced

    async def run() -> None:
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
            head = await login(api, "manager")
            body = {"title": "Шкаф под трассировку", "customer": {
                "name": "Трассов", "phone": "+7 915 000-22-33", "address": "Москва"}}  # fmt: skip
            created = await api.post("/api/v1/orders", headers=head, json=body)
            assert created.status_code == 201, created.text
            declared = await api.post(
                f"/api/v1/orders/{created.json()['id']}/media",
                headers=head,
                json={
                    "kind": "document",
                    "purpose": "requirements",
                    "filename": "ТЗ.pdf",
                    "content_type": "application/pdf",
                    "size": 44,
                },
            )
            assert declared.status_code == 201, declared.text
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            spans = await trace_of(received, "POST /api/v1/orders", "gateway")
            reactions = {s.service for s in spans if s.name == "consume orders.OrderCreated"}
            if reactions >= {"scheduling", "projections", "notifications"}:
                break
            assert asyncio.get_running_loop().time() < deadline, sorted(
                (s.service, s.name) for s in spans
            )
            await asyncio.sleep(0.5)
        by_id = {s.span_id: s for s in spans}
        served = [s for s in spans if s.service == "orders" and s.name == "POST /orders"]
        assert len(served) == 1
        # Each reaction is a child of the orders service's span that made the event.
        for span in spans:
            if span.name == "consume orders.OrderCreated":
                assert by_id[span.parent_id] is served[0], span
        upload = await trace_of(received, "POST /api/v1/orders/{order_id}/media", "gateway")
        assert "media" in {s.service for s in upload}

    asyncio.run(run())

"""The orders service alone, started as in production on a database of its own: HTTP through
an in-process client (with the actor headers the gateway would send), other services' facts
fed to its own consumer handler, and its relay runnable on demand. For tests that follow an
order's pipeline version through the orders service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from contracts.envelope import Envelope
from contracts.events import registry
from plumbing.relay import Relay
from plumbing.service import Job
from tests.actors import service_client
from tests.conftest import Infra
from tests.factories import envelope
from tests.fixtures.previous_release.startup import (
    Components,
    Started,
    create_database,
    drop_database,
    started,
)

ROOMS = {"rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2650}]}
ORDER = {
    "title": "Шкаф-купе",
    "customer": {"name": "Иванов", "phone": "+7 915 123-45-67", "address": "Москва, Тверская 1"},
}


def components(infra: Infra) -> Components:
    return Components(
        infra.kafka_bootstrap, infra.s3_endpoint, infra.s3_access_key, infra.s3_secret_key
    )


@asynccontextmanager
async def database(infra: Infra, purpose: str) -> AsyncIterator[str]:
    url = await create_database(infra.server_url, f"{purpose}_{uuid.uuid4().hex[:8]}")
    try:
        yield url
    finally:
        await drop_database(infra.server_url, url.rpartition("/")[2])


def actor(role: str, user_id: str | None = None) -> dict[str, str]:
    return {
        "X-Actor-Id": user_id or str(uuid.uuid4()),
        "X-Actor-Username": role,
        "X-Actor-Role": role,
    }


MANAGER = actor("manager")
PRODUCTION = actor("production")


@dataclass
class Orders:
    svc: Started
    http: httpx.AsyncClient

    @property
    def relay(self) -> Job:
        return next(j for j in self.svc.jobs if isinstance(getattr(j, "__self__", None), Relay))

    async def fact(self, type_: str, data: dict[str, Any]) -> None:
        """What the consumer loop does with one event of another service."""
        env = envelope(
            f"fact-{uuid.uuid4()}",
            type_=type_,
            schema_version=registry.current_version(type_),
            data=data,
        )
        [consumer] = self.svc.consumers
        async with self.svc.pool.acquire() as conn, conn.transaction():
            await consumer.handler(conn, env)

    async def ok(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
        reply = await self.http.request(method, path, headers=headers, **kw)
        assert reply.status_code in (200, 201), reply.text
        return reply.json()

    async def create(self) -> str:
        return str((await self.ok("POST", "/orders", MANAGER, json=ORDER))["id"])

    async def move(self, order_id: str, to: str) -> dict[str, Any]:
        card: dict[str, Any] = await self.ok(
            "POST", f"/orders/{order_id}/transitions", MANAGER, json={"to": to}
        )
        return card

    async def attach(self, order_id: str, kind: str, purpose: str) -> None:
        await self.fact(
            "media.MediaUploaded",
            {
                "media_id": str(uuid.uuid4()),
                "order_id": order_id,
                "kind": kind,
                "purpose": purpose,
                "filename": f"{purpose}.pdf",
                "content_type": "application/pdf",
                "size": 1000,
                "uploaded_by": str(uuid.uuid4()),
            },
        )

    async def measured(self, order_id: str) -> None:
        visit, task, who = uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())
        starts = datetime.now(UTC) + timedelta(days=1)
        slot = {"visit_id": str(visit), "order_id": order_id, "kind": "measurement"}
        await self.fact(
            "scheduling.VisitBooked",
            {
                **slot,
                "assignee_id": who,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "task_id": str(task),
            },
        )
        await self.fact(
            "scheduling.TaskCompleted",
            {
                "task_id": str(task),
                "order_id": order_id,
                "visit_id": str(visit),
                "kind": "measurement",
                "completed_by": who,
                "results": ROOMS,
            },
        )

    async def to_production(self, order_id: str) -> dict[str, Any]:
        """Through every gate of version 1's first stages, as the facts would arrive, to a
        finished production: the card then."""
        await self.attach(order_id, "document", "requirements")
        await self.move(order_id, "measurement")
        await self.measured(order_id)
        await self.move(order_id, "contract")
        deal = {"amount": "150000.00", "payment_terms": "50/50"}
        await self.ok("PUT", f"/orders/{order_id}/deal", MANAGER, json=deal)
        await self.attach(order_id, "document", "signed_contract")
        await self.move(order_id, "production")
        path = f"/orders/{order_id}/production/finished"
        card: dict[str, Any] = await self.ok("POST", path, PRODUCTION)
        return card


@asynccontextmanager
async def orders_service(infra: Infra, database_url: str) -> AsyncIterator[Orders]:
    async with (
        started("orders", components(infra), database_url) as svc,
        service_client(svc.app, "http://orders") as client,
    ):
        yield Orders(svc, client)


async def read_topic(
    infra: Infra, topic: str, wanted: dict[str, Any], timeout: float = 30
) -> tuple[bytes, Envelope]:
    """The first record on `topic` (from the earliest offset) whose envelope has the
    `wanted` field values (`type`, `actor.id`, ...): the session's broker is shared."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    env = Envelope.model_validate_json(record.value or b"")
                    if _matches(env.model_dump(mode="json"), wanted):
                        return record.key or b"", env
    finally:
        await consumer.stop()
    raise AssertionError(f"no record with {wanted} on {topic} within {timeout} s")


def _matches(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for dotted, value in wanted.items():
        here: Any = found
        for part in dotted.split("."):
            here = here.get(part) if isinstance(here, dict) else None
        if here != value:
            return False
    return True

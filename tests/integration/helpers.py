"""Helpers shared by the integration tests: events, running loops, waiting, a sink."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from contracts.envelope import Envelope
from plumbing.db import Conn
from plumbing.ordered_log import Outbox
from plumbing.settings import ServiceSettings
from tests.conftest import Infra
from tests.factories import envelope


def user_event(user_id: uuid.UUID | None = None) -> Envelope:
    uid = user_id or uuid.uuid4()
    return envelope(
        f"user-{uid}",
        type_="identity.UserRegistered",
        schema_version=1,
        data={
            "user_id": str(uid),
            "username": f"u{uid.hex[:8]}",
            "display_name": "Тест",
            "role": "measurer",
            "active": True,
        },
    )


def settings_for(infra: Infra, database_url: str, schema: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=schema,
        database_url=database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        relay_poll_interval_s=0.2,
        relay_loss_check_interval_s=0.5,
        consumer_watchdog_interval_s=1.0,
    )


async def append(outbox: Outbox, events: list[Envelope]) -> None:
    async with outbox.pool.acquire() as conn, conn.transaction():
        await outbox.append(conn, events)


@contextlib.asynccontextmanager
async def running(*jobs: Callable[[], Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(job()) for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


async def make_sink(pool: asyncpg.Pool) -> Callable[[Conn, Envelope], Awaitable[None]]:
    await pool.execute("CREATE TABLE IF NOT EXISTS sink (event_id uuid, stream_id text)")

    async def handle(conn: Conn, env: Envelope) -> None:
        await conn.execute("INSERT INTO sink VALUES ($1, $2)", env.event_id, env.stream_id)

    return handle


async def count_of(pool: asyncpg.Pool, event_id: uuid.UUID, n: int) -> bool:
    found = await pool.fetchval("SELECT count(*) FROM sink WHERE event_id = $1", event_id)
    return bool(found == n)


async def produce(infra: Infra, topic: str, values: list[bytes], key: bytes) -> None:
    """Send raw records straight to the broker, in order (one key: one partition). Bounded:
    a broker that takes no writes fails the test that needed it, not the whole suite by
    hanging it (seen once: the session's broker wedged after another test's kill -9)."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    async with asyncio.timeout(60):
        await producer.start()
        try:
            for value in values:
                await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()

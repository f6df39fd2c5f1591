"""The Web Push channel against a local push endpoint over a real socket (tests/push_endpoint.py,
which checks the VAPID JWT and decrypts like a browser) and real PostgreSQL: a push arrives
decrypted as the service worker's JSON, 410 drops the subscription, 429 and 500 retry."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from plumbing import db
from services.notifications.adapters import push_store
from services.notifications.adapters.push_store import PUSH_DDL
from services.notifications.adapters.webpush import WebPushChannel, generate_vapid_keys
from services.notifications.application.channels import Gone, Outgoing, Retry, Sent
from services.notifications.domain.channel_payloads import push_topic
from tests.push_endpoint import Device, PushEndpoint

PRIVATE, PUBLIC = generate_vapid_keys()
SITE = "https://oms.example.ru"
ME = uuid.uuid4()


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, [PUSH_DDL])
    return p


@pytest.fixture
async def endpoint() -> AsyncIterator[PushEndpoint]:
    async with PushEndpoint(PUBLIC).running() as running:
        yield running


@pytest.fixture
async def channel(pool: asyncpg.Pool) -> AsyncIterator[WebPushChannel]:
    made = WebPushChannel(pool, PRIVATE, "mailto:ops@oms.example.ru", SITE)
    yield made
    await made.aclose()


async def subscribed(pool: asyncpg.Pool, endpoint: PushEndpoint) -> tuple[str, Device]:
    url, device = endpoint.new_device()
    async with pool.acquire() as conn:
        sub, created = await push_store.subscribe(conn, ME, url, device.p256dh, device.auth_secret)
    assert created
    return str(sub.id), device


def message(address: str, urgent: bool = False) -> Outgoing:
    return Outgoing(
        message_id=f"visit-booked:{uuid.uuid4()}:webpush",
        user_id=ME,
        address=address,
        title="Замер завтра в 10:00",
        body="Заказ №42, ул. Ленина, 1",
        url="/orders/0b1c2d3e",
        urgent=urgent,
    )


async def test_a_push_arrives_decrypted_as_the_service_workers_json(
    pool: asyncpg.Pool, endpoint: PushEndpoint, channel: WebPushChannel
) -> None:
    address, device = await subscribed(pool, endpoint)
    sent = message(address, urgent=True)
    assert await channel.send(sent) == Sent()
    [got] = endpoint.received
    assert got.device == device.path
    assert got.payload == {
        "title": "Замер завтра в 10:00",
        "body": "Заказ №42, ул. Ленина, 1",
        "url": f"{SITE}/orders/0b1c2d3e",
        "tag": sent.message_id,
    }
    assert got.headers["topic"] == push_topic(sent.message_id)
    assert len(got.headers["topic"]) <= 32
    assert got.headers["urgency"] == "high"
    assert int(got.headers["ttl"]) > 0
    assert got.claims["aud"] == endpoint.url
    assert got.claims["sub"] == "mailto:ops@oms.example.ru"
    assert time.time() < got.claims["exp"] <= time.time() + 24 * 3600
    assert endpoint.refused == []


async def test_an_ordinary_push_is_not_urgent(
    pool: asyncpg.Pool, endpoint: PushEndpoint, channel: WebPushChannel
) -> None:
    address, _ = await subscribed(pool, endpoint)
    assert await channel.send(message(address)) == Sent()
    assert endpoint.received[0].headers["urgency"] == "normal"


async def test_a_push_signed_with_another_key_is_refused_by_the_endpoint(
    pool: asyncpg.Pool, endpoint: PushEndpoint
) -> None:
    """The endpoint's check is real: a server with the wrong VAPID key gets a 403, a Failed."""
    address, _ = await subscribed(pool, endpoint)
    stranger = WebPushChannel(pool, generate_vapid_keys()[0], "mailto:x@example.org", SITE)
    try:
        outcome = await stranger.send(message(address))
    finally:
        await stranger.aclose()
    assert type(outcome).__name__ == "Failed"
    assert endpoint.received == []
    assert endpoint.refused == ["k is not the key the subscription was made with"]


async def test_410_drops_the_subscription_and_says_gone(
    pool: asyncpg.Pool, endpoint: PushEndpoint, channel: WebPushChannel
) -> None:
    address, device = await subscribed(pool, endpoint)
    endpoint.answer_next(device, 410)
    assert isinstance(await channel.send(message(address)), Gone)
    async with pool.acquire() as conn:
        assert await push_store.get(conn, uuid.UUID(address)) is None
    # A later message to the dropped address is Gone at once, without a request.
    assert isinstance(await channel.send(message(address)), Gone)
    assert endpoint.received == []


async def test_404_also_drops_it(
    pool: asyncpg.Pool, endpoint: PushEndpoint, channel: WebPushChannel
) -> None:
    address, device = await subscribed(pool, endpoint)
    endpoint.answer_next(device, 404)
    assert isinstance(await channel.send(message(address)), Gone)
    async with pool.acquire() as conn:
        assert await push_store.of_user(conn, ME) == []


async def test_429_and_5xx_retry_honouring_retry_after_and_keep_the_subscription(
    pool: asyncpg.Pool, endpoint: PushEndpoint, channel: WebPushChannel
) -> None:
    address, device = await subscribed(pool, endpoint)
    endpoint.answer_next(device, 429, **{"Retry-After": "120"})
    endpoint.answer_next(device, 500)
    sent = message(address)
    assert await channel.send(sent) == Retry("push service answered 429", 120.0)
    assert await channel.send(sent) == Retry("push service answered 500", None)
    assert await channel.send(sent) == Sent()  # the same message, once it is accepted
    assert [r.payload["tag"] for r in endpoint.received] == [sent.message_id]
    async with pool.acquire() as conn:
        assert await push_store.get(conn, uuid.UUID(address)) is not None


async def test_an_unreachable_push_service_is_a_retry(
    pool: asyncpg.Pool, channel: WebPushChannel
) -> None:
    endpoint = PushEndpoint(PUBLIC)
    async with endpoint.running():
        address, _ = await subscribed(pool, endpoint)
    # The endpoint has stopped: nothing listens on its port any more.
    outcome = await channel.send(message(address))
    assert isinstance(outcome, Retry)
    assert "unreachable" in outcome.reason


async def test_a_device_subscribed_since_by_someone_else_gets_nothing_of_mine(
    pool: asyncpg.Pool, endpoint: PushEndpoint, channel: WebPushChannel
) -> None:
    address, device = await subscribed(pool, endpoint)
    someone = uuid.uuid4()
    async with pool.acquire() as conn:  # another person signs in on the device, subscribes
        await push_store.subscribe(
            conn, someone, f"{endpoint.url}/push/{device.path}", device.p256dh, device.auth_secret
        )
    assert isinstance(await channel.send(message(address)), Gone)
    assert endpoint.received == []
    async with pool.acquire() as conn:
        assert [s.user_id for s in await push_store.of_user(conn, someone)] == [someone]


async def test_subscribing_is_idempotent_on_the_endpoint_and_unsubscribing_is_ones_own(
    pool: asyncpg.Pool, endpoint: PushEndpoint
) -> None:
    url, device = endpoint.new_device()
    someone = uuid.uuid4()
    async with pool.acquire() as conn:
        first, created = await push_store.subscribe(
            conn, ME, url, device.p256dh, device.auth_secret
        )
        again, created_again = await push_store.subscribe(
            conn, ME, url, device.p256dh, device.auth_secret
        )
        assert created
        assert not created_again
        assert first.id == again.id
        assert not await push_store.unsubscribe(conn, someone, url)
        assert [s.id for s in await push_store.of_user(conn, ME)] == [first.id]
        assert await push_store.unsubscribe(conn, ME, url)
        assert await push_store.of_user(conn, ME) == []

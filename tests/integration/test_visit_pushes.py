"""Issue 15, item 5, through issue 16's path: a visit booked for a crew member, then moved to
within 24 hours, reaches their phone as a Web Push — routed by the notifications service, kept
in its delivery outbox, encrypted for the device and checked by a local push endpoint that
verifies the VAPID signature and decrypts like a browser (tests/push_endpoint.py). The
payload is what the service worker shows (web/src/sw.ts): {title, body, url, tag}."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import pytest

from contracts.events import scheduling
from services.notifications.adapters import push_store
from services.notifications.adapters.webpush import WebPushChannel, generate_vapid_keys
from services.notifications.application.apply import Notifier
from services.notifications.application.delivery import Deliverer
from services.notifications.application.notices import Notices
from services.notifications.channel_wiring import PushAddresses
from tests.integration.test_notification_delivery import (
    INSTALLER,
    MSK,
    ORDER,
    Clock,
    World,
    env,
    visit,
)
from tests.integration.test_notification_delivery import pool as pool  # noqa: PLC0414
from tests.integration.test_notification_delivery import world as email_world
from tests.push_endpoint import PushEndpoint

SITE = "https://oms.example.ru"


@pytest.fixture
async def endpoint() -> AsyncIterator[tuple[PushEndpoint, str]]:
    private, public = generate_vapid_keys()
    async with PushEndpoint(public).running() as running:
        yield running, private


async def test_a_booked_then_moved_visit_reaches_the_installers_phone_as_a_push(
    pool: asyncpg.Pool, endpoint: tuple[PushEndpoint, str]
) -> None:
    push, private = endpoint
    now = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    await email_world(pool, 1, now)  # the people and the order, as the e-mail tests have them
    clock = Clock(now)
    channel = WebPushChannel(pool, private, "mailto:ops@oms.example.ru", SITE)
    notices = Notices({"webpush": PushAddresses()}, "Europe/Moscow")
    w = World(
        pool,
        clock,
        Notifier("Europe/Moscow", 8, clock=clock, notices=notices),
        notices,
        Deliverer(pool, {"webpush": channel}, SITE, clock=clock, jitter=lambda: 0.5),
    )
    url, device = push.new_device()
    async with pool.acquire() as conn:
        await push_store.subscribe(conn, INSTALLER, url, device.p256dh, device.auth_secret)

    visit_id = uuid.uuid4()
    booked = visit(scheduling.VisitBooked, visit_id=visit_id, starts_at=now + timedelta(days=3))
    await w.feed(env(booked, now))
    moved = visit(
        scheduling.VisitRescheduled, visit_id=visit_id, starts_at=now + timedelta(hours=5)
    )
    await w.feed(env(moved, now))
    try:
        assert await w.deliverer.drain("webpush") == 2
        assert await w.deliverer.drain("webpush") == 0  # once each
    finally:
        await channel.aclose()

    assert push.refused == []
    first, second = push.received
    assert {first.device, second.device} == {device.path}
    for got in (first, second):
        assert set(got.payload) == {"title", "body", "url", "tag"}
        assert got.payload["url"] == f"{SITE}/#/order/{ORDER}"
        assert "№42" in got.payload["title"] + got.payload["body"]
    assert "назначен" in first.payload["title"] + first.payload["body"]
    assert "перенес" in second.payload["title"] + second.payload["body"]
    # Moved to within 24 hours: urgent (past quiet hours, Urgency: high); the booking is not.
    assert first.headers["urgency"] == "normal"
    assert second.headers["urgency"] == "high"

"""Customer confirmations (issue 20, item 3) on real PostgreSQL, through the delivery outbox
and the SMS.ru adapter against its fake (tests/fake_smsru.py): the day before a visit, at
18:00 in the company's zone, the customer gets one SMS with the visit's window; it follows a
moved visit, vanishes with a cancelled one, and never goes without the customer's consent or
with the company's setting off. Events are applied as the consumer applies them (the inbox
claim and the effect in one transaction). The clock is the test's."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import orders, registry, scheduling
from contracts.events.common import Address, Customer, VisitKind
from plumbing import db
from plumbing.inbox import claim
from services.notifications.adapters import outbox_store
from services.notifications.adapters.smsru import SmsRuChannel
from services.notifications.application.apply import Notifier
from services.notifications.application.customer_sms import CustomerConfirmations
from services.notifications.application.delivery import Deliverer
from services.notifications.bootstrap import MIGRATIONS
from tests.fake_smsru import FakeSmsRu

MSK = ZoneInfo("Europe/Moscow")
MANAGER, MEASURER = uuid.uuid4(), uuid.uuid4()
PHONE = "+79151234567"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, MIGRATIONS)
    return p


@pytest.fixture
async def smsru() -> AsyncIterator[FakeSmsRu]:
    async with FakeSmsRu().running() as running:
        yield running
    assert running.violations == []  # every request had the documented shape


def env(event: BaseModel, at: datetime) -> Envelope:
    name = registry.type_name(event)
    return Envelope(
        event_id=uuid.uuid4(),
        type=name,
        schema_version=registry.current_version(name),
        stream_id="s",
        stream_version=1,
        occurred_at=at,
        actor=Actor(kind="user", id=str(MANAGER), username="manager", role="manager"),
        correlation_id="c",
        data=event.model_dump(mode="json"),
    )


@dataclass
class World:
    pool: asyncpg.Pool
    clock: Clock
    notifier: Notifier
    deliverer: Deliverer
    fake: FakeSmsRu
    order_id: uuid.UUID

    async def feed(self, *events: BaseModel | Envelope) -> None:
        """As the consumer: the inbox claim and the effect in one transaction."""
        for e in events:
            envelope = e if isinstance(e, Envelope) else env(e, self.clock.now)
            async with self.pool.acquire() as conn, conn.transaction():
                if await claim(conn, "notifications", envelope.event_id):
                    await self.notifier(conn, envelope)

    async def at(self, moment: datetime) -> list[str]:
        """Move the clock to `moment`, drain the SMS outbox; the texts SMS.ru accepted."""
        self.clock.now = moment
        await self.deliverer.drain("sms")
        return [s["msg"] for s in self.fake.sent]

    async def rows(self) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT state, address, next_attempt_at, text, visit_id, user_id FROM deliveries "
            "WHERE channel = 'sms' ORDER BY id"
        )
        return [dict(r) for r in rows]

    def booked(self, visit_id: uuid.UUID, starts_at: datetime, **kw: Any) -> BaseModel:
        return _visit(scheduling.VisitBooked, self.order_id, visit_id, starts_at, **kw)

    def moved(self, visit_id: uuid.UUID, starts_at: datetime, **kw: Any) -> BaseModel:
        return _visit(scheduling.VisitRescheduled, self.order_id, visit_id, starts_at, **kw)

    def consent(self, given: bool) -> BaseModel:
        return orders.SmsConsentRecorded(order_id=self.order_id, consent=given, by=MANAGER)


def _visit(
    kind: type[scheduling.VisitBooked | scheduling.VisitRescheduled],
    order_id: uuid.UUID,
    visit_id: uuid.UUID,
    starts_at: datetime,
    hours: int = 2,
    visit_kind: VisitKind = "measurement",
) -> BaseModel:
    return kind(
        visit_id=visit_id,
        order_id=order_id,
        kind=visit_kind,
        assignee_id=MEASURER,
        task_id=uuid.uuid4(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        assignee_timezone="Asia/Yekaterinburg",  # the crew's zone; the customer's is the company's
    )


async def world(
    pool: asyncpg.Pool, fake: FakeSmsRu, now: datetime, *, enabled: bool = True
) -> World:
    clock = Clock(now)
    customers = CustomerConfirmations(
        enabled, "Europe/Moscow", "Фабрика «Дверь»", "+74951234567", clock=clock
    )
    notifier = Notifier("Europe/Moscow", 8, clock=clock, customers=customers)
    channel = SmsRuChannel(fake.api_id, fake.url)
    deliverer = Deliverer(pool, {"sms": channel}, "http://oms.test", clock=clock)
    w = World(pool, clock, notifier, deliverer, fake, uuid.uuid4())
    customer = Customer(name="Иванов", phone=PHONE, address=Address(text="Москва"))
    await w.feed(
        orders.OrderCreated(order_id=w.order_id, number=7, title="Шкаф", customer=customer)
    )
    return w


MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=MSK)
THURSDAY_10 = datetime(2026, 12, 10, 10, 0, tzinfo=MSK)
EXPECTED = "Замерщик приедет завтра с 10:00 до 12:00. Фабрика «Дверь», +74951234567"


async def test_a_booked_visit_sends_one_sms_at_18_the_evening_before(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    w = await world(pool, smsru, MONDAY)
    visit_id = uuid.uuid4()
    booked = env(w.booked(visit_id, THURSDAY_10), MONDAY)
    await w.feed(w.consent(True), booked)

    assert await w.at(datetime(2026, 12, 9, 17, 59, tzinfo=MSK)) == []
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == [EXPECTED]
    assert smsru.sent[0]["to"] == "79151234567"
    await w.feed(booked)  # redelivered: nothing new
    assert await w.at(datetime(2026, 12, 9, 20, 0, tzinfo=MSK)) == [EXPECTED]
    rows = await w.rows()
    assert [(r["state"], r["address"], r["user_id"]) for r in rows] == [("sent", PHONE, None)]


async def test_a_moved_visit_moves_its_sms_and_the_old_one_never_goes(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    w = await world(pool, smsru, MONDAY)
    visit_id = uuid.uuid4()
    await w.feed(w.consent(True), w.booked(visit_id, THURSDAY_10))
    later = datetime(2026, 12, 11, 14, 30, tzinfo=MSK)
    await w.feed(w.moved(visit_id, later, hours=3))

    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == []  # the old moment
    sent = await w.at(datetime(2026, 12, 10, 18, 0, tzinfo=MSK))
    assert sent == ["Замерщик приедет завтра с 14:30 до 17:30. Фабрика «Дверь», +74951234567"]
    assert [r["state"] for r in await w.rows()] == ["cancelled", "sent"]


async def test_a_visit_moved_after_its_sms_went_sends_the_new_time_at_once(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    w = await world(pool, smsru, MONDAY)
    visit_id = uuid.uuid4()
    await w.feed(w.consent(True), w.booked(visit_id, THURSDAY_10))
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == [EXPECTED]
    w.clock.now = datetime(2026, 12, 9, 19, 0, tzinfo=MSK)
    await w.feed(w.moved(visit_id, THURSDAY_10 + timedelta(hours=4)))
    sent = await w.at(w.clock.now)
    assert sent[1:] == ["Замерщик приедет завтра с 14:00 до 16:00. Фабрика «Дверь», +74951234567"]


async def test_a_cancelled_visit_sends_nothing(pool: asyncpg.Pool, smsru: FakeSmsRu) -> None:
    w = await world(pool, smsru, MONDAY)
    visit_id = uuid.uuid4()
    await w.feed(w.consent(True), w.booked(visit_id, THURSDAY_10))
    await w.feed(
        scheduling.VisitCancelled(
            visit_id=visit_id, order_id=w.order_id, kind="measurement", task_id=uuid.uuid4()
        )
    )
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == []
    assert [r["state"] for r in await w.rows()] == ["cancelled"]


async def test_without_consent_or_with_consent_withdrawn_nothing_is_sent(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    w = await world(pool, smsru, MONDAY)
    await w.feed(w.booked(uuid.uuid4(), THURSDAY_10))  # no consent recorded
    assert await w.rows() == []
    other = uuid.uuid4()
    await w.feed(w.consent(True), w.booked(other, THURSDAY_10 + timedelta(days=1)))
    await w.feed(w.consent(False))
    assert await w.at(datetime(2026, 12, 11, 18, 0, tzinfo=MSK)) == []
    assert {r["state"] for r in await w.rows()} == {"cancelled"}


async def test_consent_recorded_after_booking_schedules_the_sms(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    """Visits and orders travel on topics of their own: either may come first."""
    w = await world(pool, smsru, MONDAY)
    await w.feed(w.booked(uuid.uuid4(), THURSDAY_10))
    await w.feed(w.consent(True))
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == [EXPECTED]


async def test_turning_confirmations_on_serves_visits_booked_while_they_were_off(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    off = await world(pool, smsru, MONDAY, enabled=False)
    upcoming, past = uuid.uuid4(), uuid.uuid4()
    await off.feed(
        off.consent(True),
        off.booked(upcoming, THURSDAY_10),
        off.booked(past, MONDAY - timedelta(days=1)),
    )
    assert await off.rows() == []
    # The company turns confirmations on; each replica catches up as it starts, and again at
    # every later start: one SMS, for the visit still to come.
    on = CustomerConfirmations(True, "Europe/Moscow", "Фабрика «Дверь»", "+74951234567", off.clock)
    for _ in range(3):
        async with pool.acquire() as conn, conn.transaction():
            assert await on.catch_up(conn) == 1
    rows = await off.rows()
    assert [(r["state"], r["visit_id"]) for r in rows] == [("pending", upcoming)]
    assert await off.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == [EXPECTED]
    async with pool.acquire() as conn, conn.transaction():
        await on.catch_up(conn)  # once sent, a catch-up sends nothing again
    assert await off.at(datetime(2026, 12, 9, 19, 0, tzinfo=MSK)) == [EXPECTED]


async def test_with_the_company_setting_off_nothing_is_sent(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    w = await world(pool, smsru, MONDAY, enabled=False)
    await w.feed(w.consent(True), w.booked(uuid.uuid4(), THURSDAY_10))
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == []
    assert await w.rows() == []


async def test_the_sms_carries_no_commercial_value(pool: asyncpg.Pool, smsru: FakeSmsRu) -> None:
    w = await world(pool, smsru, MONDAY)
    await w.feed(
        orders.DealTermsRecorded(
            order_id=w.order_id,
            amount=Decimal("187450.00"),
            decor="шпон дуба",
            finishing="лак",
            extra_work="демонтаж",
            payment_terms="50% предоплата",
        ),
        w.consent(True),
        w.booked(uuid.uuid4(), THURSDAY_10, visit_kind="installation"),
    )
    [text] = await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK))
    assert text.startswith("Монтажники приедут завтра с 10:00 до 12:00.")
    for commercial in ("187450", "187 450", "₽", "руб", "шпон", "предоплат", "%"):
        assert commercial not in text


async def test_booked_late_the_evening_before_goes_at_once_but_not_at_night(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    evening = datetime(2026, 12, 9, 19, 30, tzinfo=MSK)
    w = await world(pool, smsru, evening)
    await w.feed(w.consent(True), w.booked(uuid.uuid4(), THURSDAY_10))
    assert await w.at(evening) == [EXPECTED]
    w.clock.now = datetime(2026, 12, 9, 22, 0, tzinfo=MSK)
    await w.feed(w.booked(uuid.uuid4(), THURSDAY_10 + timedelta(hours=5)))
    assert await w.at(datetime(2026, 12, 10, 9, 0, tzinfo=MSK)) == [EXPECTED]  # none at 22:00


async def test_a_bad_number_is_parked_for_an_admin_to_see(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    smsru.bad_numbers.add("79151234567")
    w = await world(pool, smsru, MONDAY)
    await w.feed(w.consent(True), w.booked(uuid.uuid4(), THURSDAY_10))
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == []
    [row] = await outbox_store.listing(pool, "parked")
    assert row["channel"] == "sms"
    assert row["address"] == PHONE
    assert "202" in row["last_error"]
    assert row["order_number"] == 7


async def test_an_sms_still_failing_at_21_is_parked_not_sent_at_night(
    pool: asyncpg.Pool, smsru: FakeSmsRu
) -> None:
    w = await world(pool, smsru, MONDAY)
    await w.feed(w.consent(True), w.booked(uuid.uuid4(), THURSDAY_10))
    smsru.http_errors = [503]
    assert await w.at(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == []
    [row] = await w.rows()
    assert row["state"] == "pending"  # retried with back-off
    assert await w.at(datetime(2026, 12, 9, 21, 0, tzinfo=MSK)) == []
    [parked] = await outbox_store.listing(pool, "parked")
    assert parked["last_error"].startswith("too late")

"""Issue 16 on real PostgreSQL and a real SMTP server (aiosmtpd): who hears what, the
delivery outbox with its retries and parking, reminders in a crew member's own zone and the
directors' summary once a day. The clock is the test's."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import Message as Mail
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import BaseModel

from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES
from contracts.envelope import Actor, Envelope
from contracts.events import orders, registry, scheduling
from contracts.events.common import Address, Customer
from deploy.local.mail import EmlFolder
from plumbing import db
from services.notifications.adapters import outbox_store, preferences_store
from services.notifications.adapters.crew_load import FixedCrewLoad
from services.notifications.adapters.email_channel import EmailChannel
from services.notifications.adapters.inbox_store import inbox
from services.notifications.application.apply import Notifier
from services.notifications.application.channels import Outgoing, Retry, Sent
from services.notifications.application.delivery import Deliverer
from services.notifications.application.notices import EmailAddresses, Notices
from services.notifications.application.reminders import ReminderSender
from services.notifications.application.summary import SummarySender
from services.notifications.bootstrap import MIGRATIONS
from services.notifications.domain.summary import Overloaded
from tests.integration.test_notifications import user

MSK = ZoneInfo("Europe/Moscow")
YEKT = ZoneInfo("Asia/Yekaterinburg")
MANAGER, INSTALLER, DIRECTOR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ORDER = uuid.uuid4()


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Inbox:
    """What the SMTP server accepted, as .eml files (the handler `make run` uses)."""

    folder: Path
    messages: list[Mail] = field(default_factory=list)

    def read(self) -> list[Mail]:
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(self.folder.glob("*.eml"))
        ]


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[int, Inbox]]:
    controller = Controller(EmlFolder(tmp_path / "mail"), hostname="127.0.0.1", port=_free())
    controller.start()
    yield controller.port, Inbox(tmp_path / "mail")
    controller.stop()


def _free() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, MIGRATIONS)
    return p


def env(event: BaseModel, at: datetime, actor: Actor | None = None) -> Envelope:
    name = registry.type_name(event)
    return Envelope(
        event_id=uuid.uuid4(),
        type=name,
        schema_version=registry.current_version(name),
        stream_id="s",
        stream_version=1,
        occurred_at=at,
        actor=actor or Actor.system(),
        correlation_id="c",
        data=event.model_dump(mode="json"),
    )


def person(uid: uuid.UUID, username: str, role: str, at: datetime) -> Envelope:
    return user(uid, username, role, at, email=f"{username}@oms.example")


@dataclass
class World:
    pool: asyncpg.Pool
    clock: Clock
    notifier: Notifier
    notices: Notices
    deliverer: Deliverer

    async def feed(self, *envelopes: Envelope) -> None:
        for e in envelopes:
            async with self.pool.acquire() as conn, conn.transaction():
                await self.notifier(conn, e)

    async def deliveries(self, user: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT d.channel, d.address, d.state, d.message_id, d.next_attempt_at, n.kind, "
            "n.text_ru FROM deliveries d JOIN notifications n ON n.id = d.notice_id "
            "WHERE d.user_id = $1 ORDER BY d.id",
            user,
        )
        return [dict(r) for r in rows]


async def world(pool: asyncpg.Pool, smtp_port: int, now: datetime) -> World:
    clock = Clock(now)
    notices = Notices({"email": EmailAddresses()}, "Europe/Moscow")
    notifier = Notifier("Europe/Moscow", 8, clock=clock, notices=notices)
    channel = EmailChannel("127.0.0.1", smtp_port, "OMS <noreply@oms.example>", starttls=False)
    deliverer = Deliverer(
        pool, {"email": channel}, "http://oms.test", clock=clock, jitter=lambda: 0.5
    )
    w = World(pool, clock, notifier, notices, deliverer)
    customer = Customer(name="Иванов", phone="+79151234567", address=Address(text="Москва"))
    await w.feed(
        person(MANAGER, "manager", "manager", now),
        person(INSTALLER, "installer", "installer", now),
        person(DIRECTOR, "director", "director", now),
        env(
            orders.OrderCreated(
                order_id=ORDER, number=42, title="Шкаф", customer=customer, manager_id=None
            ),
            now,
            Actor(kind="user", id=str(MANAGER), username="manager", role="manager"),
        ),
    )
    return w


def visit(event: type[scheduling.VisitBooked | scheduling.VisitRescheduled], **kw: Any) -> Any:
    base: dict[str, Any] = {
        "visit_id": kw.pop("visit_id"),
        "order_id": ORDER,
        "kind": "installation",
        "assignee_id": INSTALLER,
        "task_id": uuid.uuid4(),
        "assignee_timezone": "Europe/Moscow",
    }
    base.update(kw)
    base["ends_at"] = base["starts_at"] + timedelta(hours=3)
    return event(**base)


async def test_booking_moving_and_cancelling_tell_the_assignee_once_on_each_channel(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, mailbox = smtp
    now = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)
    w = await world(pool, port, now)
    visit_id = uuid.uuid4()
    booked = env(
        visit(scheduling.VisitBooked, visit_id=visit_id, starts_at=now + timedelta(days=3)), now
    )
    await w.feed(booked, booked)  # delivered twice: still one notice, one e-mail
    moved = visit(
        scheduling.VisitRescheduled, visit_id=visit_id, starts_at=now + timedelta(hours=5)
    )
    await w.feed(env(moved, now))
    cancelled = scheduling.VisitCancelled(
        visit_id=visit_id, order_id=ORDER, kind="installation", task_id=uuid.uuid4()
    )
    await w.feed(env(cancelled, now))

    inbox_texts = [n["text"] for n in await inbox(pool, INSTALLER, unread=False, lang="ru")]
    assert inbox_texts == [
        "Монтаж по заказу №42 отменён(а): 01.12 15:00",
        "Монтаж по заказу №42 перенесён(а): 01.12 15:00",
        "Монтаж по заказу №42 назначен(а) вам: 04.12 10:00",
    ]
    rows = await w.deliveries(INSTALLER)
    assert [(r["kind"], r["channel"], r["address"]) for r in rows] == [
        ("visit_booked", "email", "installer@oms.example"),
        ("visit_moved", "email", "installer@oms.example"),
        ("visit_cancelled", "email", "installer@oms.example"),
    ]
    assert await w.deliverer.drain("email") == 3
    assert await w.deliverer.drain("email") == 0  # sent once
    await w.feed(booked)  # redelivered again, after sending: nothing new
    assert await w.deliverer.drain("email") == 0
    mails = mailbox.read()
    assert sorted(m["Message-ID"] for m in mails) == sorted(
        f"<{r['message_id']}@notifications.oms>" for r in rows
    )
    assert {m["To"] for m in mails} == {"installer@oms.example"}
    text = next(m for m in mails if "перенес" in _body(m))
    assert f"http://oms.test/#/order/{ORDER}" in _body(text)
    assert text["Subject"] == "Заказ №42"


def _body(mail: Mail) -> str:
    part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


async def test_a_channel_turned_off_and_quiet_hours_are_respected_but_urgent_ones_go(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, _ = smtp
    now = datetime(2026, 12, 1, 23, 0, tzinfo=MSK)  # inside 22:00-08:00
    w = await world(pool, port, now)
    async with pool.acquire() as conn:
        await preferences_store.save(
            conn,
            INSTALLER,
            {("visit_cancelled", "email"): False},
            (dt.time(22), dt.time(8), "Europe/Moscow"),
            clear_quiet=False,
        )
    later, soon = uuid.uuid4(), uuid.uuid4()
    await w.feed(
        env(visit(scheduling.VisitBooked, visit_id=later, starts_at=now + timedelta(days=5)), now),
        env(visit(scheduling.VisitBooked, visit_id=soon, starts_at=now + timedelta(hours=10)), now),
    )
    cancel = scheduling.VisitCancelled(
        visit_id=soon, order_id=ORDER, kind="installation", task_id=uuid.uuid4()
    )
    await w.feed(env(cancel, now))
    rows = await w.deliveries(INSTALLER)
    # The far booking waits for 08:00; tomorrow's (an assignment for "today" in no sense
    # yet: 10 h ahead, tomorrow) waits too; the cancellation is off on e-mail.
    assert [(r["kind"], r["next_attempt_at"]) for r in rows] == [
        ("visit_booked", datetime(2026, 12, 2, 8, 0, tzinfo=MSK)),
        ("visit_booked", datetime(2026, 12, 2, 8, 0, tzinfo=MSK)),
    ]
    moved = visit(scheduling.VisitRescheduled, visit_id=later, starts_at=now + timedelta(hours=20))
    await w.feed(env(moved, now))
    urgent = (await w.deliveries(INSTALLER))[-1]
    assert (urgent["kind"], urgent["next_attempt_at"]) == ("visit_moved", now)


async def test_reminders_follow_the_visit_in_the_crew_members_own_zone(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, mailbox = smtp
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    w = await world(pool, port, now)
    visit_id = uuid.uuid4()
    starts = datetime(2026, 12, 4, 10, 0, tzinfo=YEKT)
    booked = visit(
        scheduling.VisitBooked,
        visit_id=visit_id,
        starts_at=starts,
        assignee_timezone="Asia/Yekaterinburg",
    )
    await w.feed(env(booked, now))
    due = await pool.fetch("SELECT kind, due_at FROM reminders ORDER BY due_at")
    assert [(r["kind"], r["due_at"]) for r in due] == [
        ("day_before", datetime(2026, 12, 3, 8, 0, tzinfo=YEKT)),
        ("same_day", datetime(2026, 12, 4, 8, 0, tzinfo=YEKT)),
    ]
    moved = booked.model_dump() | {"starts_at": starts + timedelta(days=2)}
    moved["ends_at"] = moved["starts_at"] + timedelta(hours=3)
    await w.feed(env(scheduling.VisitRescheduled(**moved), now))
    due = await pool.fetch("SELECT kind, due_at FROM reminders ORDER BY due_at")
    assert [r["due_at"] for r in due] == [
        datetime(2026, 12, 5, 8, 0, tzinfo=YEKT),
        datetime(2026, 12, 6, 8, 0, tzinfo=YEKT),
    ]
    sender = ReminderSender(pool, "Europe/Moscow", notices=w.notices, clock=w.clock)
    w.clock.now = datetime(2026, 12, 5, 7, 59, tzinfo=YEKT)
    assert await sender.send_due() == 0  # 05:59 in Moscow is 07:59 there: not yet
    w.clock.now = datetime(2026, 12, 5, 8, 0, tzinfo=YEKT)
    assert await sender.send_due() == 1
    assert await sender.send_due() == 0
    texts = [n["text"] for n in await inbox(pool, INSTALLER, unread=False, lang="ru")]
    assert texts[0] == "Завтра в 06.12 10:00: монтаж по заказу №42"  # her local time
    await w.deliverer.drain("email")
    assert any("Завтра в 06.12 10:00" in _body(m) for m in mailbox.read())


async def test_a_visit_booked_late_the_day_before_is_reminded_at_once(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, _ = smtp
    now = datetime(2026, 12, 3, 15, 0, tzinfo=YEKT)
    w = await world(pool, port, now)
    booked = visit(
        scheduling.VisitBooked,
        visit_id=uuid.uuid4(),
        starts_at=datetime(2026, 12, 4, 9, 0, tzinfo=YEKT),
        assignee_timezone="Asia/Yekaterinburg",
    )
    await w.feed(env(booked, now))
    sender = ReminderSender(pool, "Europe/Moscow", notices=w.notices, clock=w.clock)
    assert await sender.send_due() == 1  # the day-before one, now


async def test_the_directors_summary_is_sent_once_per_day_across_a_restart(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, _ = smtp
    w = await world(pool, port, datetime(2026, 12, 1, 7, 0, tzinfo=MSK))
    await w.feed(
        env(
            scheduling.OrderOverdue(
                order_id=ORDER,
                stage="measurement",
                entered_at=datetime(2026, 11, 20, tzinfo=UTC),
                limit_hours=48,
            ),
            w.clock.now,
        )
    )

    # Tomorrow (the 2nd) one installer is booked beyond her hours; scheduling says so.
    load = FixedCrewLoad({date(2026, 12, 2): [Overloaded("Мария Монтажова", "installer", 9.5, 9)]})

    def sender() -> SummarySender:  # a fresh process each time: nothing kept in memory
        return SummarySender(pool, w.notices, load, "Europe/Moscow", 8, clock=w.clock)

    w.clock.now = datetime(2026, 12, 1, 7, 59, tzinfo=MSK)
    assert await sender().send_if_due() is False
    # Scheduling cannot answer at 08:00: the summary waits for it (within its grace)...
    load.failing = True
    w.clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=MSK)
    assert await sender().send_if_due() is False
    load.failing = False
    w.clock.now = datetime(2026, 12, 1, 8, 1, tzinfo=MSK)  # restarted at 08:01
    assert await sender().send_if_due() is True
    assert await sender().send_if_due() is False
    w.clock.now = datetime(2026, 12, 1, 23, 0, tzinfo=MSK)
    assert await sender().send_if_due() is False
    summaries = [
        n["text"]
        for n in await inbox(pool, DIRECTOR, unread=False, lang="ru")
        if n["text"].startswith("Сводка")
    ]
    assert summaries == [
        "Сводка на утро: сверх срока стадии 1 заказ(ов) (№42); просроченных задач: 0; "
        "перегружены завтра (визиты с дорогой сверх рабочих часов): "
        "Мария Монтажова (9.5 из 9 ч)"
    ]
    assert [r["kind"] for r in await w.deliveries(DIRECTOR) if r["kind"] == "summary"] == [
        "summary"
    ]
    # ...and goes without it once the grace is over, saying so.
    load.failing = True
    w.clock.now = datetime(2026, 12, 2, 8, 5, tzinfo=MSK)
    assert await sender().send_if_due() is False
    w.clock.now = datetime(2026, 12, 2, 8, 16, tzinfo=MSK)
    assert await sender().send_if_due() is True  # the next day's
    texts = [n["text"] for n in await inbox(pool, DIRECTOR, unread=False, lang="ru")]
    assert any(t.endswith("загрузку бригад на завтра узнать не удалось") for t in texts), texts


async def test_an_imported_order_and_its_old_lateness_are_history_not_news(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    """Issue 20: bringing a portal's open deals over tells no one of each order, nor of each
    stage limit it had overstayed already in Bitrix24; the morning summary still counts it."""
    port, _ = smtp
    w = await world(pool, port, datetime(2026, 12, 1, 7, 0, tzinfo=MSK))
    before = len(await inbox(pool, DIRECTOR, unread=False, lang="ru"))
    imported = uuid.uuid4()
    customer = Customer(name="Петров", phone="+79161234567", address=Address(text="Москва"))
    admin = Actor(kind="user", id=str(uuid.uuid4()), username="admin", role="admin")
    created = orders.OrderCreated(
        order_id=imported,
        number=77,
        title="Двери из Битрикс24",
        customer=customer,
        manager_id=str(MANAGER),
        imported_from="bitrix24",
    )
    late = scheduling.OrderOverdue(
        order_id=imported,
        stage="measurement",
        entered_at=datetime(2025, 3, 1, tzinfo=UTC),
        limit_hours=48,
        late_when_imported=True,
    )
    await w.feed(env(created, w.clock.now, admin), env(late, w.clock.now))
    assert len(await inbox(pool, DIRECTOR, unread=False, lang="ru")) == before
    assert await inbox(pool, MANAGER, unread=False, lang="ru") == []
    # Late all the same: the directors read it in the morning, with the others.
    w.clock.now = datetime(2026, 12, 1, 8, 1, tzinfo=MSK)
    summary = SummarySender(pool, w.notices, FixedCrewLoad({}), "Europe/Moscow", 8, clock=w.clock)
    assert await summary.send_if_due() is True
    texts = [n["text"] for n in await inbox(pool, DIRECTOR, unread=False, lang="ru")]
    assert any(t.startswith("Сводка") and "№77" in t for t in texts), texts


async def test_the_manager_or_else_the_creator_hears_of_progress_and_photos_come_grouped(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, _ = smtp
    now = datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    w = await world(pool, port, now)  # order 42 has no manager: its creator hears
    async with pool.acquire() as conn:
        await preferences_store.save(
            conn, MANAGER, {("media_uploaded", "email"): True}, None, clear_quiet=False
        )
    for i in range(10):
        w.clock.now = now + timedelta(seconds=25 * i)
        attached = orders.MediaAttached(
            order_id=ORDER,
            media_id=uuid.uuid4(),
            kind="photo",
            purpose="installation_result",
            filename=f"{i}.jpg",
            source_event_id=uuid.uuid4(),
        )
        await w.feed(env(attached, w.clock.now))
    await w.feed(env(orders.ProductionFinished(order_id=ORDER), w.clock.now))
    texts = [n["text"] for n in await inbox(pool, MANAGER, unread=False, lang="ru")]
    assert texts == [
        "Производство по заказу №42 завершено",
        "К заказу №42 загружены файлы (фото: 10)",
    ]
    rows = [r for r in await w.deliveries(MANAGER) if r["kind"] == "media_uploaded"]
    assert len(rows) == 1  # one notice, one e-mail, once the group closes
    assert rows[0]["next_attempt_at"] == now + timedelta(minutes=5)


async def test_a_failing_channel_backs_off_then_parks_where_admins_see_it(
    pool: asyncpg.Pool,
) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    w = await world(pool, _free(), now)  # nobody listens on that port
    w.deliverer.max_attempts = 3
    await w.feed(
        env(
            visit(scheduling.VisitBooked, visit_id=uuid.uuid4(), starts_at=now + timedelta(days=2)),
            now,
        )
    )
    assert await w.deliverer.drain("email") == 1
    row = (await outbox_store.listing(pool, "pending"))[0]
    assert row["attempts"] == 1
    assert row["next_attempt_at"] == now + timedelta(seconds=3.75)  # 5 s, half + half of 0.5
    assert row["last_error"]
    assert await w.deliverer.drain("email") == 0  # not due yet: the consumers never wait
    w.clock.now = now + timedelta(seconds=4)
    assert await w.deliverer.drain("email") == 1
    row = (await outbox_store.listing(pool, "pending"))[0]
    assert row["next_attempt_at"] == w.clock.now + timedelta(seconds=7.5)
    w.clock.now += timedelta(seconds=8)
    assert await w.deliverer.drain("email") == 1
    parked = await outbox_store.listing(pool, "parked")
    assert [(p["username"], p["attempts"]) for p in parked] == [("installer", 3)]
    assert parked[0]["last_error"].startswith("gave up after 3")


async def test_field_roles_get_nothing_commercial_on_any_channel_but_the_inbox(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    """A robot's free text, a mention or a notice to the whole role may name what a crew
    member must not see: it stays in the inbox (filtered when read); what leaves it is a
    message this service writes about their own visit or task."""
    port, mailbox = smtp
    now = datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    w = await world(pool, port, now)
    secret = "сумма договора 987654 руб."
    async with pool.acquire() as conn:  # even asked for, it is not sent
        await preferences_store.save(
            conn, INSTALLER, {("robot", "email"): True}, None, clear_quiet=False
        )
    await w.feed(
        env(
            scheduling.NotificationRequested(
                order_id=ORDER,
                role="installer",
                user_id=INSTALLER,
                text_ru=secret,
                text_en=secret,
                rule_id="custom",
                cause_event_id=uuid.uuid4(),
            ),
            now,
        ),
        env(
            scheduling.TaskCreated(
                task_id=uuid.uuid4(),
                order_id=ORDER,
                kind="custom",
                title=secret,
                assignee_role="installer",
            ),
            now,
        ),
        env(
            orders.MediaAttached(
                order_id=ORDER,
                media_id=uuid.uuid4(),
                kind="document",
                purpose=sorted(COMMERCIAL_DOCUMENT_PURPOSES)[0],
                filename="contract.pdf",
                source_event_id=uuid.uuid4(),
            ),
            now,
        ),
        env(
            visit(scheduling.VisitBooked, visit_id=uuid.uuid4(), starts_at=now + timedelta(days=2)),
            now,
        ),
    )
    w.clock.now += timedelta(minutes=10)
    while await w.deliverer.drain("email"):
        pass
    to_installer = [m for m in mailbox.read() if m["To"] == "installer@oms.example"]
    assert [m["Subject"] for m in to_installer] == ["Заказ №42"]  # the visit only
    for m in to_installer:
        assert "987654" not in m.as_string()
        assert "contract" not in _body(m)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_email_goes_over_starttls_with_a_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(_s: Any, _session: Any, _e: Any, _mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"oms",
            b"s3cret-pass",
        )
        if ok:
            logins.append(data.login.decode())
        return AuthResult(success=ok)

    folder = tmp_path / "mail"
    controller = Controller(
        EmlFolder(folder),
        hostname="127.0.0.1",
        port=_free(),
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    controller.start()
    try:
        client_tls = ssl.create_default_context(cafile=str(cert))
        channel = EmailChannel(
            "127.0.0.1",
            controller.port,
            "OMS <noreply@oms.example>",
            username="oms",
            password="s3cret-pass",
            starttls=True,
            tls_context=client_tls,
        )
        message = Outgoing(
            message_id=str(uuid.uuid4()),
            user_id=INSTALLER,
            address="installer@oms.example",
            title="Заказ №42",
            body="Монтаж по заказу №42 назначен(а) вам: 04.12 10:00",
            url="http://oms.test/#/order/x",
        )
        assert await channel.send(message) == Sent()
        assert logins == ["oms"]
        stored = Inbox(folder).read()
        assert [m["Message-ID"] for m in stored] == [f"<{message.message_id}@notifications.oms>"]
        wrong = EmailChannel(
            "127.0.0.1",
            controller.port,
            "OMS <noreply@oms.example>",
            username="oms",
            password="wrong-password",
            starttls=True,
            tls_context=client_tls,
        )
        assert isinstance(await wrong.send(message), Retry)  # the settings', parked in time
        untrusting = EmailChannel(
            "127.0.0.1", controller.port, "x@oms.example", username="oms", password="s3cret-pass"
        )  # the system's trust store does not know the self-signed certificate
        assert isinstance(await untrusting.send(message), Retry)
    finally:
        controller.stop()


async def test_a_visit_for_someone_not_heard_of_yet_reaches_them_once_they_are(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    """Identity events travel on a topic of their own: a booking for a user made a moment ago
    may come first. Its notice waits in the inbox and goes out when the person is known."""
    port, _ = smtp
    now = datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    w = await world(pool, port, now)
    newcomer = uuid.uuid4()
    booked = visit(
        scheduling.VisitBooked,
        visit_id=uuid.uuid4(),
        starts_at=now + timedelta(days=2),
        assignee_id=newcomer,
    )
    await w.feed(env(booked, now))
    assert await w.deliveries(newcomer) == []
    registered = person(newcomer, "newcomer", "installer", now)
    await w.feed(registered, registered)
    assert [(r["kind"], r["address"]) for r in await w.deliveries(newcomer)] == [
        ("visit_booked", "newcomer@oms.example")
    ]


async def test_moving_a_visit_booked_before_visits_were_kept_here_says_it_moved(
    pool: asyncpg.Pool, smtp: tuple[int, Inbox]
) -> None:
    port, _ = smtp
    now = datetime(2026, 12, 1, 12, 0, tzinfo=MSK)
    w = await world(pool, port, now)
    moved = visit(
        scheduling.VisitRescheduled, visit_id=uuid.uuid4(), starts_at=now + timedelta(days=3)
    )
    await w.feed(env(moved, now))
    texts = [n["text"] for n in await inbox(pool, INSTALLER, unread=False, lang="ru")]
    assert texts == ["Монтаж по заказу №42 перенесён(а): 04.12 12:00"]

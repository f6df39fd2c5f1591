"""Notifications against real PostgreSQL: reminders follow their visit, inboxes fill once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import orders, registry, scheduling
from contracts.events.common import Address, Customer
from plumbing import db
from services.notifications.adapters.inbox_store import inbox
from services.notifications.application.apply import Notifier
from services.notifications.application.reminders import ReminderSender
from services.notifications.bootstrap import MIGRATIONS
from tests.pipeline_versions import default_pipeline, published, with_varnishing, without_rework

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MANAGER, INSTALLER, DIRECTOR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ORDER = uuid.uuid4()


def env(event: BaseModel, actor: Actor | None = None) -> Envelope:
    name = registry.type_name(event)
    return Envelope(
        event_id=uuid.uuid4(),
        type=name,
        schema_version=registry.current_version(name),
        stream_id="s",
        stream_version=1,
        occurred_at=NOW,
        actor=actor or Actor.system(),
        correlation_id="c",
        data=event.model_dump(mode="json"),
    )


def user(
    uid: uuid.UUID, username: str, role: str, at: datetime = NOW, email: str | None = None
) -> Envelope:
    data: dict[str, object] = {
        "user_id": str(uid),
        "username": username,
        "display_name": username,
        "role": role,
        "active": True,
    }
    if email is not None:
        data["email"] = email
    return Envelope(
        event_id=uuid.uuid4(),
        type="identity.UserRegistered",
        schema_version=1,
        stream_id=f"user-{uid}",
        stream_version=1,
        occurred_at=at,
        actor=Actor.system(),
        correlation_id="c",
        data=data,
    )


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, MIGRATIONS)
    return p


async def feed(pool: asyncpg.Pool, notifier: Notifier, *envelopes: Envelope) -> None:
    for e in envelopes:
        async with pool.acquire() as conn, conn.transaction():
            await notifier(conn, e)


async def texts(pool: asyncpg.Pool, who: uuid.UUID) -> list[str]:
    return [n["text"] for n in await inbox(pool, who, unread=False, lang="ru")]


def booked(starts_at: datetime, visit_id: uuid.UUID) -> scheduling.VisitBooked:
    return scheduling.VisitBooked(
        visit_id=visit_id,
        order_id=ORDER,
        kind="installation",
        assignee_id=INSTALLER,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        task_id=uuid.uuid4(),
    )


async def reminder_rows(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in await pool.fetch("SELECT kind, due_at, sent_at FROM reminders ORDER BY due_at")
    ]


async def setup_order(pool: asyncpg.Pool, notifier: Notifier) -> None:
    customer = Customer(name="Иванов", phone="+79151234567", address=Address(text="Москва"))
    await feed(
        pool,
        notifier,
        user(MANAGER, "manager", "manager"),
        user(INSTALLER, "installer", "installer"),
        user(DIRECTOR, "director", "director"),
        env(
            orders.OrderCreated(
                order_id=ORDER, number=42, title="Шкаф", customer=customer, manager_id=str(MANAGER)
            )
        ),
    )


async def test_a_booked_visit_schedules_two_reminders_that_move_and_vanish_with_it(
    pool: asyncpg.Pool,
) -> None:
    notifier = Notifier("Europe/Moscow", 8, clock=lambda: NOW)
    await setup_order(pool, notifier)
    visit_id = uuid.uuid4()
    await feed(pool, notifier, env(booked(datetime(2026, 12, 3, 11, 0, tzinfo=UTC), visit_id)))
    assert [r["kind"] for r in await reminder_rows(pool)] == ["day_before", "same_day"]
    moved = scheduling.VisitRescheduled(
        **booked(datetime(2026, 12, 10, 11, 0, tzinfo=UTC), visit_id).model_dump()
    )
    await feed(pool, notifier, env(moved))
    rows = await reminder_rows(pool)
    assert [r["due_at"].date().isoformat() for r in rows] == ["2026-12-09", "2026-12-10"]
    await feed(
        pool,
        notifier,
        env(
            scheduling.VisitCancelled(
                visit_id=visit_id, order_id=ORDER, kind="installation", task_id=uuid.uuid4()
            )
        ),
    )
    assert await reminder_rows(pool) == []


async def test_due_reminders_are_sent_once(pool: asyncpg.Pool) -> None:
    notifier = Notifier("Europe/Moscow", 8, clock=lambda: NOW - timedelta(days=30))
    await setup_order(pool, notifier)
    # a visit that started in the past: both reminders are already due
    await feed(pool, notifier, env(booked(datetime.now(UTC) - timedelta(hours=1), uuid.uuid4())))
    sender = ReminderSender(pool, "Europe/Moscow")
    assert await sender.send_due() >= 1
    assert await sender.send_due() == 0
    # Besides the booking's own notice ("Монтаж по заказу №42 назначен(а) вам: ...").
    sent = [t for t in await texts(pool, INSTALLER) if t.startswith(("Завтра", "Сегодня"))]
    assert sent
    assert all("монтаж по заказу №42" in t for t in sent)


async def test_directors_hear_of_new_orders_and_mentions_reach_the_person(
    pool: asyncpg.Pool,
) -> None:
    notifier = Notifier("Europe/Moscow", 8)
    await setup_order(pool, notifier)
    assert await texts(pool, DIRECTOR) == ["Новый заказ №42: Шкаф"]
    comment = env(
        orders.CommentPosted(
            order_id=ORDER,
            comment_id=uuid.uuid4(),
            text="@installer проверь",
            mentions=[orders.Mention(user_id=str(INSTALLER), username="installer")],
        ),
        actor=Actor(kind="user", id=str(MANAGER), username="manager", role="manager"),
    )
    await feed(pool, notifier, comment, comment)  # the same event twice: one notification
    assert await texts(pool, INSTALLER) == [
        "manager упомянул(а) вас в заказе №42: @installer проверь"
    ]


async def test_a_robot_notification_reaches_the_orders_manager(pool: asyncpg.Pool) -> None:
    notifier = Notifier("Europe/Moscow", 8)
    await setup_order(pool, notifier)
    request = scheduling.NotificationRequested(
        order_id=ORDER,
        notify_manager=True,
        text_ru="Заказ №42 перешёл в «Замер»",
        text_en="Order #42 moved to Measurement",
        rule_id="notify-stage",
        cause_event_id=uuid.uuid4(),
    )
    await feed(pool, notifier, env(request))
    assert await texts(pool, MANAGER) == ["Заказ №42 перешёл в «Замер»"]
    english = await inbox(pool, MANAGER, unread=True, lang="en")
    assert english[0]["text"] == "Order #42 moved to Measurement"


def refused(order_id: uuid.UUID, to_stage: str) -> Envelope:
    return env(
        orders.AutoMoveRefused(
            order_id=order_id,
            from_stage="production",
            to_stage=to_stage,
            unmet=[
                orders.UnmetCondition(
                    code="varnish_wet", message_ru="лак не высох", message_en="varnish is wet"
                )
            ],
            rule_id="r",
            cause_event_id=uuid.uuid4(),
        )
    )


async def test_a_refused_move_names_the_stage_as_the_orders_pipeline_titles_it(
    pool: asyncpg.Pool,
) -> None:
    notifier = Notifier("Europe/Moscow", 8)
    await setup_order(pool, notifier)  # order 42, version 1
    customer = Customer(name="Петров", phone="+79151234567", address=Address(text="Москва"))
    on_v2 = uuid.uuid4()
    created = orders.OrderCreated(
        order_id=on_v2,
        number=43,
        title="Дверь",
        customer=customer,
        manager_id=str(MANAGER),
        pipeline_version=2,
    )
    await feed(pool, notifier, env(created), published(1, default_pipeline()))
    # Version 2 has not arrived (it travels on a partition of its own): the key is shown.
    await feed(pool, notifier, refused(on_v2, "varnishing"))
    renamed = with_varnishing()
    renamed = renamed.model_copy(
        update={
            "stages": [
                s.model_copy(update={"title_ru": "Упаковка"}) if s.key == "shipment_prep" else s
                for s in renamed.stages
            ]
        }
    )
    await feed(pool, notifier, published(2, renamed), published(3, without_rework()))
    await feed(pool, notifier, refused(on_v2, "varnishing"), refused(on_v2, "shipment_prep"))
    await feed(pool, notifier, refused(ORDER, "shipment_prep"))
    assert await texts(pool, MANAGER) == [  # newest first
        # Order 42 keeps version 1's title, whatever later versions call the stage.
        "Робот не перевёл заказ №42 в «Подготовка к отгрузке»: лак не высох",
        "Робот не перевёл заказ №43 в «Упаковка»: лак не высох",
        "Робот не перевёл заказ №43 в «Лакировка»: лак не высох",
        "Робот не перевёл заказ №43 в «varnishing»: лак не высох",
    ]
    english = [n["text"] for n in await inbox(pool, MANAGER, unread=True, lang="en")]
    assert "A robot could not move order #43 to 'Varnishing': varnish is wet" in english

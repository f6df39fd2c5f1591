"""Robots and stage timers: each rule fires at most once per causing event."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts.envelope import Envelope
from contracts.events.scheduling import RETIRED_NOTIFY_RULES
from contracts.topics import ORDERS, SCHEDULING
from tests.conftest import Infra
from tests.integration.helpers import eventually
from tests.integration.test_scheduling_support import (
    DIRECTOR_HEADERS,
    MANAGER_HEADERS,
    Harness,
    actor,
    at,
    monday,
    stage_changed,
)
from tests.scheduling_rule_cases import UNKNOWN_NAMES

INSTALLER_RULE = "installation-installer-task"


async def test_redelivered_stage_change_creates_no_second_task(svc: Harness) -> None:
    order = await svc.order()
    entered = stage_changed(order, "installation", "delivery")
    await svc.apply(entered)
    await svc.apply(entered)  # what Kafka may do: the same event again
    tasks = [t for t in await svc.tasks(order) if t["kind"] == "installation"]
    assert len(tasks) == 1
    assert tasks[0]["rule_id"] == INSTALLER_RULE
    assert tasks[0]["cause_event_id"] == str(entered.event_id)
    created = await svc.outbox("scheduling.TaskCreated")
    assert len(created) == 1
    assert created[0]["actor"] == {
        "kind": "robot",
        "id": None,
        "username": None,
        "role": None,
        "rule_id": INSTALLER_RULE,
    }
    assert created[0]["causation_id"] == str(entered.event_id)
    # No robot tells anyone of the stage change: the notifications defaults do, from the event.
    assert await svc.outbox("scheduling.NotificationRequested") == []


async def test_an_edited_rule_applies_from_the_next_event(svc: Harness) -> None:
    rules = (await svc.client.get("/automation/rules", headers=DIRECTOR_HEADERS)).json()
    (rule,) = [r for r in rules if r["id"] == INSTALLER_RULE]
    rule["actions"][0]["title"] = "Собрать шкаф"
    rule["actions"][0]["due_in_hours"] = 5
    reply = await svc.client.put(
        f"/automation/rules/{INSTALLER_RULE}", json=rule, headers=DIRECTOR_HEADERS
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["version"] == 2
    assert len(await svc.outbox("scheduling.RuleChanged")) == 1
    stale = await svc.client.put(
        f"/automation/rules/{INSTALLER_RULE}", json=rule, headers=DIRECTOR_HEADERS
    )
    assert stale.status_code == 409  # still says version 1
    rule["version"] = 2
    order = await svc.order()
    await svc.apply(stage_changed(order, "installation", "delivery"))
    (task,) = [t for t in await svc.tasks(order) if t["kind"] == "installation"]
    assert task["title"] == "Собрать шкаф"
    # Disabled: the next order entering installation gets no task.
    rule["enabled"] = False
    await svc.client.put(f"/automation/rules/{INSTALLER_RULE}", json=rule, headers=DIRECTOR_HEADERS)
    later = await svc.order()
    await svc.apply(stage_changed(later, "installation", "delivery"))
    assert [t for t in await svc.tasks(later) if t["kind"] == "installation"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        *UNKNOWN_NAMES,
        ({"trigger": "order_paid"}, "invalid_rule"),
        ({"conditions": {"amount_gt": 10}}, "invalid_rule"),
        ({"id": "other-id"}, "invalid_rule"),
    ],
)
async def test_malformed_rules_are_refused(svc: Harness, change: dict[str, Any], code: str) -> None:
    body = {
        "title": "t",
        "trigger": "order_entered_stage",
        "actions": [{"type": "request_stage_move", "to_stage": "contract"}],
        **change,
    }
    reply = await svc.client.put("/automation/rules/new-rule", json=body, headers=DIRECTOR_HEADERS)
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == code
    assert (
        await svc.client.put("/automation/rules/new-rule", json=body, headers=MANAGER_HEADERS)
    ).status_code == 403


async def _order_since(svc: Harness, since: datetime) -> uuid.UUID:
    from tests.factories import envelope, order_created_data  # noqa: PLC0415

    order = uuid.uuid4()
    created = envelope(f"order-{order}", data=order_created_data(order))
    await svc.apply(created.model_copy(update={"occurred_at": since}))
    return order


async def _overdue(svc: Harness, order: uuid.UUID) -> list[dict[str, Any]]:
    found = await svc.outbox("scheduling.OrderOverdue")
    return [e for e in found if e["data"]["order_id"] == str(order)]


async def test_stage_timer_fires_once_even_with_two_replicas(svc: Harness) -> None:
    alert = await svc.overdue_alert()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    order = await _order_since(svc, long_ago - timedelta(hours=1))
    entered = stage_changed(order, "contract", "measurement")
    await svc.apply(entered.model_copy(update={"occurred_at": long_ago}))
    timers = svc.app.state.timers
    # Two passes at once stand in for two replicas (the app's own loop is a third):
    # SKIP LOCKED hands the row to one of them, the others skip it.
    await asyncio.gather(timers.fire_due(), timers.fire_due())

    async def fired() -> bool:
        return len(await _overdue(svc, order)) > 0

    await eventually(fired)
    await asyncio.sleep(0.5)  # several more passes of the background loop
    (overdue,) = await _overdue(svc, order)
    assert overdue["data"]["stage"] == "contract"
    alerts = [
        e
        for e in await svc.outbox("scheduling.NotificationRequested")
        if e["data"]["rule_id"] == alert and e["data"]["order_id"] == str(order)
    ]
    assert len(alerts) == 1
    assert alerts[0]["data"]["role"] == "director"
    assert alerts[0]["data"]["notify_manager"]


async def test_a_limit_overstayed_before_an_import_is_late_but_wakes_no_robot(
    svc: Harness,
) -> None:
    """Issue 20: an order brought over from Bitrix24 that had already overstayed its stage is
    late (OrderOverdue, marked `late_when_imported`), yet the overdue robot does not act on it
    — the import of a portal's open deals would otherwise raise an alert per order. The same
    entry made here alerts as always."""
    from tests.factories import envelope, order_created_data  # noqa: PLC0415

    alert = await svc.overdue_alert()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    orders = {}
    for imported in (True, False):
        order = uuid.uuid4()
        extra = {"imported_from": "bitrix24"} if imported else {}
        created = envelope(f"order-{order}", data={**order_created_data(order), **extra})
        await svc.apply(created.model_copy(update={"occurred_at": long_ago - timedelta(hours=1)}))
        moved = stage_changed(order, "contract", "measurement")
        moved = moved.model_copy(
            update={
                "schema_version": 2,
                "data": {**moved.data, **extra},
                "occurred_at": long_ago,
            }
        )
        await svc.apply(moved)
        orders[imported] = order
    await svc.app.state.timers.fire_due()

    async def both_fired() -> bool:
        return all([await _overdue(svc, order) for order in orders.values()])

    await eventually(both_fired)
    for imported, order in orders.items():
        (overdue,) = await _overdue(svc, order)
        assert overdue["schema_version"] == 2
        assert overdue["data"]["late_when_imported"] is imported
        alerts = [
            e
            for e in await svc.outbox("scheduling.NotificationRequested")
            if e["data"]["rule_id"] == alert and e["data"]["order_id"] == str(order)
        ]
        assert len(alerts) == (0 if imported else 1), imported


async def test_a_stage_change_cancels_the_pending_timer(svc: Harness) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=30)
    order = await _order_since(svc, long_ago - timedelta(hours=1))
    moved = stage_changed(order, "contract", "measurement")
    await svc.apply(moved.model_copy(update={"occurred_at": long_ago}))
    await svc.apply(stage_changed(order, "production", "contract"))  # now: not due for 30 days
    await svc.app.state.timers.fire_due()
    assert await _overdue(svc, order) == []
    # Limits are the pipeline's (test_scheduling_pipelines.py): no table, no route here.
    gone = await svc.client.get("/automation/stage-limits", headers=DIRECTOR_HEADERS)
    assert gone.status_code in (404, 405)


async def _publish(infra: Infra, events: list[Envelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for env in events:
            await producer.send_and_wait(ORDERS, env.to_json_bytes(), key=env.stream_id.encode())
    finally:
        await producer.stop()


async def _scheduling_events(infra: Infra, order: uuid.UUID, type_: str) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        SCHEDULING,
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while not found and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    env = Envelope.from_json_bytes(r.value or b"")
                    if env.type == type_ and env.data.get("order_id") == str(order):
                        found.append(env)
    finally:
        await consumer.stop()
    return found


async def test_default_robots_end_to_end_over_the_broker(svc: Harness, infra: Infra) -> None:
    from tests.factories import envelope, order_created_data  # noqa: PLC0415

    order = uuid.uuid4()
    created = envelope(f"order-{order}", data=order_created_data(order))
    to_installation = stage_changed(order, "installation", "delivery")
    # The stage change is published twice: a redelivery must not make a second task.
    await _publish(infra, [created, to_installation, to_installation])

    async def installer_task() -> bool:
        return any(t["kind"] == "installation" for t in await svc.tasks(order))

    await eventually(installer_task)
    await asyncio.sleep(1.0)  # room for the second copy to be (not) applied
    assert [t["kind"] for t in await svc.tasks(order)].count("installation") == 1

    measured = uuid.uuid4()
    await _publish(
        infra,
        [
            envelope(f"order-{measured}", data=order_created_data(measured)),
            stage_changed(measured, "measurement", "intake"),
        ],
    )

    async def book_task() -> bool:
        return any(t["kind"] == "book_visit" for t in await svc.tasks(measured))

    await eventually(book_task)
    measurer = await svc.crew("measurer")
    booked = (await svc.book(measured, "measurement", measurer, at(monday(), 10))).json()
    done = await svc.client.post(
        f"/tasks/{booked['task_id']}/complete",
        json={"results": {"rooms": [{"name": "Кухня", "width_mm": 3000, "height_mm": 2700}]}},
        headers=actor("measurer", measurer),
    )
    assert done.status_code == 200, done.text
    (move,) = await _scheduling_events(infra, measured, "scheduling.StageMoveRequested")
    assert move.data["to_stage"] == "contract"
    assert move.data["rule_id"] == "measurement-done-to-contract"
    assert move.actor.kind == "robot"


async def test_the_retired_notify_robots_are_deleted_and_their_ids_refused(svc: Harness) -> None:
    from services.scheduling.adapters import rule_store  # noqa: PLC0415

    # A database of an earlier release holds the seeded notify robots, one edited by an admin.
    old = {
        "id": "overdue-alert",
        "title": "Заказ превысил срок стадии → менеджеру и руководителю (изменено)",
        "trigger": "order_overdue",
        "actions": [{"type": "notify", "manager": True, "text_ru": "x", "text_en": "x"}],
    }
    async with svc.pool.acquire() as conn, conn.transaction():
        await conn.execute("INSERT INTO rules (id, definition) VALUES ($1, $2)", old["id"], old)
        retired = await rule_store.retire(conn, RETIRED_NOTIFY_RULES)
    assert retired == ["overdue-alert"]
    rules = (await svc.client.get("/automation/rules", headers=DIRECTOR_HEADERS)).json()
    assert not {r["id"] for r in rules} & RETIRED_NOTIFY_RULES
    assert {r["id"] for r in rules} >= {"measurement-book-visit", "installation-installer-task"}

    # Nobody brings one back under its old id: notifications would drop what it asks.
    body = {k: v for k, v in old.items() if k != "id"}
    reply = await svc.client.put(
        "/automation/rules/overdue-alert", json=body, headers=DIRECTOR_HEADERS
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "retired_rule_id"
    assert "choose another id" in reply.json()["detail"]

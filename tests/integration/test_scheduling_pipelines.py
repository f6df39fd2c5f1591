"""Scheduling follows each order's pipeline version (issue 10): robot rules may name any
published stage, stage limits are the version's `limit_hours`, production's view is the
version's order of stages — and a robot's action keeps its identity through rule edits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import envelope, order_created_data
from tests.integration.test_scheduling_support import (
    DIRECTOR_HEADERS,
    Harness,
    actor,
    stage_changed,
)
from tests.pipeline_versions import published, with_varnishing, without_rework

VARNISH_TASK: dict[str, Any] = {
    "type": "create_task",
    "kind": "custom",
    "title": "Покрыть лаком",
    "assignee_role": "production",
}
VARNISH_RULE: dict[str, Any] = {
    "title": "Order enters varnishing → task for production",
    "trigger": "order_entered_stage",
    "conditions": {"stage": "varnishing"},
    "actions": [VARNISH_TASK],
}
LONG_AGO = datetime.now(UTC) - timedelta(days=30)


async def order_on(svc: Harness, version: int, since: datetime | None = None) -> uuid.UUID:
    order = uuid.uuid4()
    data = {**order_created_data(order), "pipeline_version": version}
    created = envelope(f"order-{order}", data=data)
    await svc.apply(created.model_copy(update={"occurred_at": since or created.occurred_at}))
    return order


async def put_rule(svc: Harness, rule_id: str, body: dict[str, Any]) -> Any:
    return await svc.client.put(f"/automation/rules/{rule_id}", json=body, headers=DIRECTOR_HEADERS)


async def tasks_of(svc: Harness, order: uuid.UUID, kind: str = "custom") -> list[dict[str, Any]]:
    return [t for t in await svc.tasks(order) if t["kind"] == kind]


async def overdue(svc: Harness, order: uuid.UUID) -> list[dict[str, Any]]:
    found = await svc.outbox("scheduling.OrderOverdue")
    return [e for e in found if e["data"]["order_id"] == str(order)]


async def test_a_rule_on_a_new_stage_is_refused_until_a_version_has_it_then_fires(
    svc: Harness,
) -> None:
    early = await put_rule(svc, "varnish-task", VARNISH_RULE)
    assert early.status_code == 422
    assert early.json()["code"] == "unknown_stage"
    assert "varnishing" in early.json()["detail"]

    await svc.apply(published(2, with_varnishing()))
    await svc.apply(published(3, without_rework()))
    saved = await put_rule(svc, "varnish-task", VARNISH_RULE)
    assert saved.status_code == 200, saved.text
    # Rework is gone from version 3 only: orders of version 1 still enter it.
    rework = {**VARNISH_RULE, "conditions": {"stage": "rework"}}
    assert (await put_rule(svc, "rework-too", rework)).status_code == 200

    order = await order_on(svc, 2)
    await svc.apply(stage_changed(order, "varnishing", "production"))
    (task,) = await tasks_of(svc, order)
    assert task["title"] == "Покрыть лаком"
    assert task["rule_id"] == "varnish-task"


async def test_overdue_follows_the_limit_of_the_orders_version(svc: Harness) -> None:
    alert = await svc.overdue_alert()
    await svc.apply(published(2, with_varnishing(limit_hours=0.001)))
    order = await order_on(svc, 2, LONG_AGO - timedelta(hours=1))
    await svc.apply(stage_changed(order, "varnishing", "production"))  # entered just now
    await svc.app.state.timers.fire_due()
    assert await overdue(svc, order) == []
    svc.app.state.timers.emitter.clock = lambda: datetime.now(UTC) + timedelta(seconds=10)
    await svc.app.state.timers.fire_due()
    (event,) = await overdue(svc, order)
    assert event["data"]["stage"] == "varnishing"
    assert event["data"]["limit_hours"] == 0.001
    alerts = [
        e
        for e in await svc.outbox("scheduling.NotificationRequested")
        if e["data"]["rule_id"] == alert and e["data"]["order_id"] == str(order)
    ]
    assert len(alerts) == 1
    assert "«Лакировка»" in alerts[0]["data"]["text_ru"]  # the version's title, not the key
    assert "Varnishing" in alerts[0]["data"]["text_en"]

    # The same stage in a version that gives it no limit: never overdue, however long.
    await svc.apply(published(5, with_varnishing(limit_hours=None)))
    unlimited = await order_on(svc, 5, LONG_AGO - timedelta(hours=1))
    entered = stage_changed(unlimited, "varnishing", "production")
    await svc.apply(entered.model_copy(update={"occurred_at": LONG_AGO}))
    await svc.app.state.timers.fire_due()
    assert await overdue(svc, unlimited) == []


async def test_an_order_known_before_its_version_waits_for_the_version(svc: Harness) -> None:
    # Version 4 and its orders travel on different partitions: the order may come first.
    order = await order_on(svc, 4, LONG_AGO - timedelta(hours=1))
    entered = stage_changed(order, "varnishing", "production")
    await svc.apply(entered.model_copy(update={"occurred_at": LONG_AGO}))
    await svc.app.state.timers.fire_due()
    assert await overdue(svc, order) == []
    await svc.apply(published(4, with_varnishing(limit_hours=1)))
    await svc.app.state.timers.fire_due()
    (event,) = await overdue(svc, order)
    assert event["data"]["limit_hours"] == 1


async def test_production_sees_an_orders_tasks_by_the_orders_own_pipeline(svc: Harness) -> None:
    await svc.apply(published(2, with_varnishing()))
    assert (await put_rule(svc, "varnish-task", VARNISH_RULE)).status_code == 200
    production = actor("production", await svc.crew("production"))
    order = await order_on(svc, 2)
    await svc.apply(stage_changed(order, "varnishing", "production"))
    (task,) = await tasks_of(svc, order)

    seen = await svc.client.get("/tasks", params={"order_id": str(order)}, headers=production)
    assert [t["id"] for t in seen.json() if t["kind"] == "custom"] == [task["id"]]
    visits = await svc.client.get(f"/orders/{order}/visits", headers=production)
    assert visits.status_code == 200
    done = await svc.client.post(f"/tasks/{task['id']}/complete", json={}, headers=production)
    assert done.status_code == 200, done.text

    # An order at contract is not theirs yet, whatever its version.
    early = await order_on(svc, 2)
    await svc.apply(stage_changed(early, "measurement", "intake"))
    assert (await svc.client.get(f"/orders/{early}/visits", headers=production)).status_code == 404
    hidden = await svc.client.get("/tasks", params={"order_id": str(early)}, headers=production)
    assert hidden.json() == []


async def test_a_redelivered_cause_after_a_rule_edit_makes_no_second_task(svc: Harness) -> None:
    await svc.apply(published(2, with_varnishing()))
    assert (await put_rule(svc, "varnish-task", VARNISH_RULE)).status_code == 200
    order = await order_on(svc, 2)
    cause = stage_changed(order, "varnishing", "production")
    await svc.apply(cause)
    (task,) = await tasks_of(svc, order)

    rules = (await svc.client.get("/automation/rules", headers=DIRECTOR_HEADERS)).json()
    (rule,) = [r for r in rules if r["id"] == "varnish-task"]
    (action,) = rule["actions"]
    assert action["id"]  # given when first saved
    # Edited: the title changes and a new action goes before it.
    action["title"] = "Покрыть лаком дважды"
    notify = {"type": "notify", "manager": True, "text_ru": "Лак", "text_en": "Varnish"}
    rule["actions"] = [notify, action]
    edited = await put_rule(svc, "varnish-task", rule)
    assert edited.status_code == 200, edited.text
    ids = [a["id"] for a in edited.json()["actions"]]
    assert ids[1] == action["id"]
    assert ids[0] not in (None, action["id"])

    await svc.apply(cause)  # what Kafka may do after the edit
    assert [t["id"] for t in await tasks_of(svc, order)] == [task["id"]]
    # The second guard alone (the rule's firing record gone): the action's task id is the
    # same as before the edit, so the task is found again, not made twice.
    await svc.pool.execute("DELETE FROM rule_firings WHERE cause_event_id = $1", cause.event_id)
    await svc.apply(cause)
    assert [t["id"] for t in await tasks_of(svc, order)] == [task["id"]]


async def test_an_unknown_action_id_is_refused(svc: Harness) -> None:
    await svc.apply(published(2, with_varnishing()))
    body = {**VARNISH_RULE, "actions": [{**VARNISH_TASK, "id": "made-up"}]}
    refused = await put_rule(svc, "varnish-task", body)
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_action"

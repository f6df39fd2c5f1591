"""Who sees and completes the tasks of an order (issue 11): a task left to a role is seen only
by those who may see its order, and booking the visit hands it to the one booked."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.integration.test_scheduling_support import (
    MANAGER_HEADERS,
    Harness,
    actor,
    at,
    monday,
    stage_changed,
)


async def listed(svc: Harness, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    reply = await svc.client.get("/tasks", params=params, headers=headers)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


async def complete(svc: Harness, task_id: str, headers: dict[str, str]) -> httpx.Response:
    return await svc.client.post(f"/tasks/{task_id}/complete", json={}, headers=headers)


async def robot_task(svc: Harness, order: uuid.UUID, kind: str) -> dict[str, Any]:
    (task,) = [t for t in await svc.tasks(order) if t["kind"] == kind]
    assert task["assignee_id"] is None
    assert task["rule_id"] is not None
    return task


async def test_a_role_task_of_an_order_not_theirs_is_hidden_from_every_worker_of_the_role(
    svc: Harness,
) -> None:
    stranger = actor("delivery", await svc.crew("delivery"))
    order = await svc.order("production")
    await svc.apply(stage_changed(order, "shipment_prep", "production"))
    task = await robot_task(svc, order, "delivery")
    assert task["assignee_role"] == "delivery"
    assert await listed(svc, stranger, mine="true") == []
    assert await listed(svc, stranger) == []
    assert await listed(svc, stranger, order_id=str(order)) == []
    refused = await complete(svc, task["id"], stranger)
    assert refused.status_code == 404  # as for a task that does not exist
    unknown = await complete(svc, str(uuid.uuid4()), stranger)
    assert refused.json() | {"detail": ""} == unknown.json() | {"detail": ""}
    assert (await robot_task(svc, order, "delivery"))["status"] == "open"


async def test_booking_hands_the_robot_task_to_the_booked_worker_with_its_visit(
    svc: Harness,
) -> None:
    driver, other = await svc.crew("delivery"), await svc.crew("delivery")
    order = await svc.order("production")
    await svc.apply(stage_changed(order, "shipment_prep", "production"))
    task = await robot_task(svc, order, "delivery")
    booked = (await svc.book(order, "delivery", driver, at(monday(), 10))).json()
    assert booked["task_id"] == task["id"]  # adopted, not a second task
    (adopted,) = [t for t in await svc.tasks(order) if t["kind"] == "delivery"]
    assert adopted["visit_id"] == booked["visit_id"]
    assert adopted["assignee_id"] == str(driver)
    mine = await listed(svc, actor("delivery", driver), mine="true")
    assert [t["id"] for t in mine] == [task["id"]]
    assert await listed(svc, actor("delivery", other), mine="true") == []
    assert (await complete(svc, task["id"], actor("delivery", other))).status_code == 404
    done = await complete(svc, task["id"], actor("delivery", driver))
    assert done.status_code == 200, done.text
    (completed,) = [
        e
        for e in await svc.outbox("scheduling.TaskCompleted")
        if e["data"]["task_id"] == task["id"]
    ]
    assert completed["data"]["visit_id"] == booked["visit_id"]


async def test_installation_and_rework_robot_tasks_are_adopted_too(svc: Harness) -> None:
    installer = await svc.crew("installer")
    order = await svc.order("delivery")
    for stage, before in (("installation", "delivery"), ("rework", "installation")):
        await svc.apply(stage_changed(order, stage, before))
        task = await robot_task(svc, order, stage)
        hour = 10 if stage == "installation" else 14
        booked = (await svc.book(order, stage, installer, at(monday(), hour))).json()
        assert booked["task_id"] == task["id"]
        (adopted,) = [t for t in await svc.tasks(order) if t["kind"] == stage]
        assert (adopted["visit_id"], adopted["assignee_id"]) == (
            booked["visit_id"],
            str(installer),
        )


async def test_a_worker_who_sees_the_order_may_see_but_not_complete_anothers_task(
    svc: Harness,
) -> None:
    installer, colleague = await svc.crew("installer"), await svc.crew("installer")
    order = await svc.order("installation")
    booked = (await svc.book(order, "installation", colleague, at(monday(), 10))).json()
    # The installer is on this order too (a rework visit): they see the order's tasks.
    await svc.book(order, "rework", installer, at(monday(), 15))
    seen = {t["id"] for t in await listed(svc, actor("installer", installer))}
    assert booked["task_id"] in seen
    refused = await complete(svc, booked["task_id"], actor("installer", installer))
    assert refused.status_code == 403


async def test_a_role_task_on_an_order_of_theirs_may_be_taken(svc: Harness) -> None:
    installer = await svc.crew("installer")
    order = await svc.order("delivery")
    await svc.book(order, "rework", installer, at(monday(), 10))
    await svc.apply(stage_changed(order, "installation", "delivery"))
    task = await robot_task(svc, order, "installation")
    mine = await listed(svc, actor("installer", installer), mine="true")
    assert task["id"] in {t["id"] for t in mine}
    taken = await complete(svc, task["id"], actor("installer", installer))
    assert taken.status_code == 200, taken.text
    assert taken.json()["assignee_id"] == str(installer)
    assert taken.json()["visit_id"] is None  # no visit's task: it opens no gate


async def test_production_sees_an_orders_role_tasks_from_the_production_stage_on(
    svc: Harness,
) -> None:
    production = actor("production")
    order = await svc.order("contract")
    body = {"title": "Заказать фурнитуру", "order_id": str(order), "assignee_role": "production"}
    created = await svc.client.post("/tasks", json=body, headers=MANAGER_HEADERS)
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    assert await listed(svc, production, mine="true") == []
    assert (await complete(svc, task_id, production)).status_code == 404
    await svc.apply(stage_changed(order, "production", "contract"))
    assert [t["id"] for t in await listed(svc, production, mine="true")] == [task_id]
    assert (await complete(svc, task_id, production)).status_code == 200


async def test_an_orders_visits_and_a_members_calendar_are_shown_only_to_those_entitled(
    svc: Harness,
) -> None:
    installer, stranger = await svc.crew("installer"), await svc.crew("installer")
    order = await svc.order("installation")
    await svc.book(order, "installation", installer, at(monday(), 10))
    path = f"/orders/{order}/visits"
    assert (await svc.client.get(path, headers=actor("installer", stranger))).status_code == 404
    mine = await svc.client.get(path, headers=actor("installer", installer))
    assert mine.status_code == 200, mine.text
    assert [v["assignee_id"] for v in mine.json()] == [str(installer)]
    span = {"from": at(monday(), 0).isoformat(), "to": at(monday(), 23).isoformat()}
    calendar = f"/crew/{installer}/schedule"
    theirs = await svc.client.get(calendar, params=span, headers=actor("installer", stranger))
    assert theirs.status_code == 404
    own = await svc.client.get(calendar, params=span, headers=actor("installer", installer))
    assert own.status_code == 200, own.text
    assert any(b.get("order_id") == str(order) for b in own.json()["busy"])
    assert (await svc.client.get(calendar, params=span, headers=MANAGER_HEADERS)).status_code == 200


async def test_an_admin_sees_no_task_or_visit_of_an_order_even_one_assigned_to_them(
    svc: Harness,
) -> None:
    """Admin administers (issue 14): no order, so none of an order's tasks, visits or
    calendar slots, not even those still assigned to a worker who was made admin; a task on
    no order for their role they do see."""
    worker = await svc.crew("installer")
    order = await svc.order("installation")
    booked = (await svc.book(order, "installation", worker, at(monday(), 10))).json()
    made_admin = actor("admin", worker)  # the same person, after a role change
    assert await listed(svc, actor("installer", worker), order_id=str(order))  # the control
    assert await listed(svc, made_admin) == []
    assert await listed(svc, made_admin, mine="true") == []
    assert await listed(svc, made_admin, order_id=str(order)) == []
    assert (await complete(svc, booked["task_id"], made_admin)).status_code == 404
    visits = await svc.client.get(f"/orders/{order}/visits", headers=made_admin)
    assert visits.status_code == 404
    span = {"from": at(monday(), 0).isoformat(), "to": at(monday(), 23).isoformat()}
    other = await svc.crew("installer")
    calendar = await svc.client.get(f"/crew/{other}/schedule", params=span, headers=made_admin)
    assert calendar.status_code == 404

    chore = {"title": "Выдать пропуска новым сотрудникам", "assignee_role": "admin"}
    created = await svc.client.post("/tasks", json=chore, headers=MANAGER_HEADERS)
    assert created.status_code == 201, created.text
    mine = await listed(svc, actor("admin"), mine="true")
    assert created.json()["id"] in [t["id"] for t in mine]
    assert all(t["order_id"] is None for t in mine)

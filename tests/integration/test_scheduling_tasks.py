"""Tasks: adopting robot tasks on booking, listing mine, completing with the right rights."""

from __future__ import annotations

import uuid

from tests.integration.test_scheduling_support import (
    DIRECTOR_HEADERS,
    MANAGER_HEADERS,
    Harness,
    actor,
    at,
    monday,
    stage_changed,
)

RESULTS = {"rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2600}]}


async def test_booking_adopts_the_robot_task_and_completes_the_book_visit_task(
    svc: Harness,
) -> None:
    installer = await svc.crew("installer")
    order = await svc.order()
    await svc.apply(stage_changed(order, "installation", "delivery"))
    (robot_task,) = [t for t in await svc.tasks(order) if t["kind"] == "installation"]
    assert robot_task["assignee_role"] == "installer"
    assert robot_task["assignee_id"] is None
    booked = (await svc.book(order, "installation", installer, at(monday(), 10))).json()
    assert booked["task_id"] == robot_task["id"]  # adopted, not a second task
    kinds = [t["kind"] for t in await svc.tasks(order)]
    assert kinds.count("installation") == 1
    (visit_booked,) = await svc.outbox("scheduling.VisitBooked")
    assert visit_booked["data"]["task_id"] == robot_task["id"]
    # One TaskCreated (the robot's); the booking did not claim to create it again.
    assert len(await svc.outbox("scheduling.TaskCreated")) == 1

    measurer = await svc.crew("measurer")
    other = await svc.order("measurement")
    (book_task,) = [t for t in await svc.tasks(other) if t["kind"] == "book_visit"]
    assert book_task["visit_kind"] == "measurement"
    await svc.book(other, "measurement", measurer, at(monday(), 10))
    statuses = {t["kind"]: t["status"] for t in await svc.tasks(other)}
    assert statuses == {"book_visit": "done", "measurement": "open"}


async def test_mine_lists_my_tasks_and_open_tasks_of_my_role(svc: Harness) -> None:
    installer, colleague = await svc.crew("installer"), await svc.crew("installer")
    order = await svc.order("installation")  # robot: role task for installers, on the order
    loose = await svc.client.post(
        "/tasks",
        json={"title": "Инвентаризация", "assignee_role": "installer"},
        headers=MANAGER_HEADERS,
    )
    mine = await svc.client.get(
        "/tasks", params={"mine": "true"}, headers=actor("installer", installer)
    )
    # The role task on no order is theirs to take; the one on an order that is not theirs is
    # not even listed (tests/integration/test_scheduling_task_access.py).
    assert [t["id"] for t in mine.json()] == [loose.json()["id"]]
    booked = (await svc.book(order, "installation", colleague, at(monday(), 10))).json()
    theirs = await svc.client.get(
        "/tasks",
        params={"mine": "true", "date": monday().isoformat()},
        headers=actor("installer", colleague),
    )
    assert [t["id"] for t in theirs.json()] == [booked["task_id"]]
    mine = await svc.client.get(
        "/tasks", params={"mine": "true"}, headers=actor("installer", installer)
    )
    assert [t["id"] for t in mine.json()] == [loose.json()["id"]]
    measurer = await svc.crew("measurer")
    seen = await svc.client.get("/tasks", headers=actor("measurer", measurer))
    assert seen.json() == []  # not theirs, not their role, not their order


async def test_completing_a_visit_task_completes_the_visit_with_results(svc: Harness) -> None:
    measurer = await svc.crew("measurer")
    order = await svc.order("measurement")
    booked = (await svc.book(order, "measurement", measurer, at(monday(), 10))).json()
    bad = await svc.client.post(
        f"/tasks/{booked['task_id']}/complete",
        json={"results": {"rooms": [{"name": "x", "width_mm": -1, "height_mm": 1}]}},
        headers=actor("measurer", measurer),
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_results"
    done = await svc.client.post(
        f"/tasks/{booked['task_id']}/complete",
        json={"note": "всё снято", "results": RESULTS},
        headers=actor("measurer", measurer),
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    assert done.json()["results"]["rooms"][0]["width_mm"] == 2400
    visit = await svc.pool.fetchval(
        "SELECT status FROM visits WHERE id = $1", uuid.UUID(booked["visit_id"])
    )
    assert visit == "done"
    (completed,) = [
        e
        for e in await svc.outbox("scheduling.TaskCompleted")
        if e["data"]["kind"] == "measurement"
    ]
    assert completed["data"]["results"]["rooms"][0]["height_mm"] == 2600
    again = await svc.client.post(
        f"/tasks/{booked['task_id']}/complete", json={}, headers=MANAGER_HEADERS
    )
    assert again.status_code == 409


async def test_who_may_complete_a_task(svc: Harness) -> None:
    measurer, colleague = await svc.crew("measurer"), await svc.crew("measurer")
    installer = await svc.crew("installer")
    order = await svc.order()
    booked = (await svc.book(order, "measurement", measurer, at(monday(), 10))).json()
    await svc.book(order, "measurement", colleague, at(monday(), 14))
    path = f"/tasks/{booked['task_id']}/complete"
    # Sees it (the order is theirs too) but it is not their task: 403.
    assert (
        await svc.client.post(path, json={}, headers=actor("measurer", colleague))
    ).status_code == 403
    # An admin sees no order, so not its tasks either: 404, as for a task that does not exist.
    assert (await svc.client.post(path, json={}, headers=actor("admin"))).status_code == 404
    # An installer with nothing on this order may not even see it: 404.
    assert (
        await svc.client.post(path, json={}, headers=actor("installer", installer))
    ).status_code == 404
    unknown = await svc.client.post(
        f"/tasks/{uuid.uuid4()}/complete", json={}, headers=MANAGER_HEADERS
    )
    assert unknown.status_code == 404
    assert (await svc.client.post(path, json={}, headers=DIRECTOR_HEADERS)).status_code == 200

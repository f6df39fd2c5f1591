"""Tasks people create by hand: for a person or a role, validated, published."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.test_scheduling_support import (
    MANAGER_HEADERS,
    Harness,
    actor,
)


async def test_a_manager_gives_a_crew_member_a_task_on_an_order(svc: Harness) -> None:
    installer = await svc.crew("installer")
    order = await svc.order("installation")
    body = {
        "title": "Забрать фурнитуру со склада",
        "order_id": str(order),
        "assignee_id": str(installer),
        "due_at": "2030-03-01T12:00:00+03:00",
    }
    created = await svc.client.post("/tasks", json=body, headers=MANAGER_HEADERS)
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["kind"] == "custom"
    assert task["status"] == "open"
    mine = await svc.client.get(
        "/tasks", params={"mine": "true"}, headers=actor("installer", installer)
    )
    assert task["id"] in {t["id"] for t in mine.json()}
    (event,) = [
        e for e in await svc.outbox("scheduling.TaskCreated") if e["data"]["task_id"] == task["id"]
    ]
    assert event["data"]["assignee_id"] == str(installer)


async def test_a_task_for_a_role_without_an_order(svc: Harness) -> None:
    body = {"title": "Инвентаризация инструмента", "assignee_role": "installer"}
    created = await svc.client.post("/tasks", json=body, headers=MANAGER_HEADERS)
    assert created.status_code == 201, created.text
    assert created.json()["order_id"] is None


ROLE = {"title": "x", "assignee_role": "installer"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"title": "x"}, 422, "assignee"),
        (
            {"title": "x", "assignee_role": "installer", "assignee_id": str(uuid.uuid4())},
            422,
            "assignee",
        ),
        ({"title": "x", "assignee_role": "boss"}, 422, "unknown_role"),
        # Checked before the order is waited for: admin could never see a task on an order.
        (
            {"title": "x", "assignee_role": "admin", "order_id": str(uuid.uuid4())},
            422,
            "role_sees_no_orders",
        ),
        ({"title": "x", "assignee_id": str(uuid.uuid4())}, 422, "unknown_member"),
        (
            {"title": "x", "assignee_role": "installer", "order_id": str(uuid.uuid4())},
            404,
            "unknown_order",
        ),
        (
            {"title": "x", "assignee_role": "installer", "due_at": "2030-03-01T12:00:00"},
            422,
            "invalid_input",
        ),
        ({"title": "", "assignee_role": "installer"}, 422, "invalid_input"),
    ],
)
async def test_bad_task_requests_are_refused(
    svc: Harness, body: dict[str, str], status: int, code: str
) -> None:
    reply = await svc.client.post("/tasks", json=body, headers=MANAGER_HEADERS)
    assert reply.status_code == status, reply.text
    assert reply.json()["code"] == code


async def test_crews_cannot_create_tasks(svc: Harness) -> None:
    body = {"title": "x", "assignee_role": "installer"}
    reply = await svc.client.post("/tasks", json=body, headers=actor("installer"))
    assert reply.status_code == 403

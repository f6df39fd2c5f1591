"""The case study's path through the real services, no events injected: a document upload
opens intake, a robot asks the manager to book the measurement, the manager books it in the
measurer's free time, the measurer completes it with dimensions from the site, and a robot
moves the order to the contract stage."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def eventually(probe: Any, timeout: float = 60) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await probe()
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.3)


async def upload(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    oid: str,
    kind: str,
    purpose: str,
    content: bytes,
    content_type: str,
    filename: str,
) -> dict[str, Any]:
    declared = {
        "kind": kind,
        "purpose": purpose,
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
    }
    started = await api.post(f"/api/v1/orders/{oid}/media", headers=headers, json=declared)
    assert started.status_code == 201, started.text
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.put(
            started.json()["upload_url"], content=content, headers={"Content-Type": content_type}
        )
        assert put.status_code == 200, put.text
    done = await api.post(f"/api/v1/media/{started.json()['media_id']}/complete", headers=headers)
    assert done.status_code == 200, done.text
    body: dict[str, Any] = done.json()
    return body


async def test_measurement_booked_done_and_moved_by_robot(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    measurer = await login(api, "measurer")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]

    # intake: a real document through a presigned URL opens the gate (the fact travels
    # media → broker → orders)
    await upload(api, manager, oid, "document", "requirements", PDF, "application/pdf", "ТЗ.pdf")

    async def moved_to_measurement() -> bool:
        reply = await api.post(
            f"/api/v1/orders/{oid}/transitions", headers=manager, json={"to": "measurement"}
        )
        return reply.status_code == 200

    await eventually(moved_to_measurement)

    # a robot asks the manager to book the measurement
    async def book_task() -> list[dict[str, Any]]:
        tasks = (await api.get("/api/v1/tasks", headers=manager, params={"order_id": oid})).json()
        return [t for t in tasks if t["kind"] == "book_visit" and t["status"] == "open"]

    await eventually(book_task)

    # the manager sees the measurer's calendar and books a free slot
    crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "measurer"})).json()
    member = next(c for c in crew if c["username"] == "measurer")
    now = datetime.now().astimezone()
    schedule = (
        await api.get(
            f"/api/v1/crew/{member['id']}/schedule",
            headers=manager,
            params={"from": now.isoformat(), "to": (now + timedelta(days=10)).isoformat()},
        )
    ).json()
    slot = next(
        f
        for f in schedule["free"]
        if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"])
        >= timedelta(hours=1)
    )
    starts = datetime.fromisoformat(slot["starts_at"])
    booked = await api.post(
        f"/api/v1/orders/{oid}/visits",
        headers=manager,
        json={
            "kind": "measurement",
            "assignee_id": member["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        },
    )
    assert booked.status_code == 201, booked.text
    assert not await book_task(), "booking completes the manager's 'book a visit' task"

    # the measurer now sees the order and its task, without commercial data
    async def my_task() -> list[dict[str, Any]]:
        tasks = (await api.get("/api/v1/tasks", headers=measurer, params={"mine": "true"})).json()
        return [t for t in tasks if t["order_id"] == oid and t["kind"] == "measurement"]

    (task,) = await eventually(my_task)
    card = await eventually(lambda: _card_if_visible(api, measurer, oid))
    assert "deal" not in card

    # ... and completes it on site with the dimensions
    results = {
        "rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2650, "depth_mm": 600}],
        "notes": "ровные стены",
    }
    done = await api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        headers=measurer,
        json={"note": "готово", "results": results},
    )
    assert done.status_code == 200, done.text

    # a robot moves the order to the contract stage; the history says which rule and why
    async def in_contract() -> dict[str, Any] | None:
        body = (await api.get(f"/api/v1/orders/{oid}", headers=manager)).json()
        return body if body["stage"] == "contract" else None

    await eventually(in_contract)
    history = (await api.get(f"/api/v1/orders/{oid}/history", headers=manager)).json()
    robot_move = next(
        h
        for h in history
        if h["type"] == "orders.StageChanged" and h["data"]["to_stage"] == "contract"
    )
    assert robot_move["actor"]["kind"] == "robot"
    assert robot_move["data"]["cause_event_id"]


async def _card_if_visible(
    api: httpx.AsyncClient, headers: dict[str, str], oid: str
) -> dict[str, Any] | None:
    reply = await api.get(f"/api/v1/orders/{oid}", headers=headers)
    return reply.json() if reply.status_code == 200 else None

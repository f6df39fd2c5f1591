"""Issue 10's proof, through the running system: a director publishes a pipeline version with a
new stage `varnishing` between production and shipment_prep, and then one without `rework`;
new orders follow their version end to end — the board column, a robot rule on entry, the stage
limit's alert, report rows, production's view and the Russian title — while an order of the
old version keeps its own.

It runs on a stack of its own: publishing a pipeline changes what every later order of that
system gets, and the other end-to-end tests expect the default pipeline.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts.events.common import MeasurementResults, RoomMeasurement
from deploy.local.stack import Stack
from tests.conftest import Infra
from tests.e2e.conftest import login
from tests.e2e.own_stack import own_stack
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_order_lifecycle import (
    card,
    media_event,
    move,
    publish,
    task_completed,
    until,
    visit_booked,
)
from tests.pipeline_versions import with_varnishing, without_rework

# About a second and a half: long enough to be seen in the stage, short enough to go overdue.
VARNISH_LIMIT_HOURS = 0.0005
RULE = {
    "title": "Лакировка → задача цеху проверить покрытие",
    "trigger": "order_entered_stage",
    "conditions": {"stage": "varnishing"},
    "actions": [
        {
            "type": "create_task",
            "kind": "production",
            "title": "Проверить лаковое покрытие",
            "assignee_role": "production",
        }
    ],
}


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(infra, tmp_path_factory.mktemp("pipelines-stack"), "pipelines") as running:
        yield running


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        yield client


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, within: float = 60) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = await probe()
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, f"never: {what}"
        await asyncio.sleep(0.3)


async def publish_pipeline(api: httpx.AsyncClient, director: dict[str, str], body: Any) -> int:
    reply = await api.put("/api/v1/pipeline", headers=director, json=body)
    assert reply.status_code in (200, 201), reply.text
    return int(reply.json()["version"])


async def to_production(
    api: httpx.AsyncClient, stack: Stack, manager: dict[str, str], oid: str
) -> None:
    """Through intake, measurement and contract, with the other services' facts published."""
    await publish(stack, media_event(oid, "document", "requirements"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: c["documents"])
    assert (await move(api, manager, oid, "measurement")).status_code == 200
    booked = visit_booked(oid, "measurement")
    await publish(stack, booked, f"visit-{booked.visit_id}")
    rooms = MeasurementResults(rooms=[RoomMeasurement(name="Кухня", width_mm=3000, height_mm=2700)])
    await publish(stack, task_completed(booked, rooms), f"task-{booked.task_id}")
    await until(api, manager, oid, lambda c: c["gate"]["unmet"] == [])
    assert (await move(api, manager, oid, "contract")).status_code == 200
    deal = {
        "amount": "99000.00",
        "decor": "Шпон",
        "finishing": "Лак",
        "extra_work": "",
        "payment_terms": "100% предоплата",
    }
    assert (await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=deal)).is_success
    await publish(stack, media_event(oid, "document", "signed_contract"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: c["gate"]["unmet"] == [])
    assert (await move(api, manager, oid, "production")).status_code == 200


async def to_installation(
    api: httpx.AsyncClient, stack: Stack, manager: dict[str, str], oid: str, via: str
) -> None:
    """From production (finished) through `via` (the stage after production) and delivery."""
    production = await login(api, "production")
    await eventually(
        lambda: _ok(api.get(f"/api/v1/orders/{oid}", headers=production)), "production sees it"
    )
    done = await api.post(f"/api/v1/orders/{oid}/production/finished", headers=production)
    assert done.status_code == 200, done.text
    assert (await move(api, manager, oid, via)).status_code == 200
    if via != "shipment_prep":
        assert (await move(api, manager, oid, "shipment_prep")).status_code == 200
    delivery = visit_booked(oid, "delivery")
    await publish(stack, delivery, f"visit-{delivery.visit_id}")
    await until(api, manager, oid, lambda c: any(v["kind"] == "delivery" for v in c["visits"]))
    assert (await move(api, manager, oid, "delivery")).status_code == 200
    await publish(stack, task_completed(delivery), f"task-{delivery.task_id}")
    await until(api, manager, oid, lambda c: c["gate"]["unmet"] == [])
    assert (await move(api, manager, oid, "installation")).status_code == 200


async def _ok(request: Awaitable[httpx.Response]) -> bool:
    return (await request).status_code == 200


def column(board: dict[str, Any], stage: str) -> dict[str, Any] | None:
    return next((c for c in board["columns"] if c["stage"] == stage), None)


async def test_new_orders_follow_a_published_pipeline_and_old_ones_keep_theirs(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    director, manager = await login(api, "director"), await login(api, "manager")
    production = await login(api, "production")
    old = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]

    # A director publishes `varnishing` after production, with a stage limit; a robot rule on
    # entry to it can be saved once a published version has the stage.
    varnishing = with_varnishing(limit_hours=VARNISH_LIMIT_HOURS).model_dump(mode="json")
    v2 = await publish_pipeline(api, director, varnishing)

    async def rule_saved() -> bool:  # retried until scheduling has heard of version 2
        path = "/api/v1/automation/rules/varnishing-check"
        return (await api.put(path, headers=director, json=RULE)).status_code == 200

    await eventually(rule_saved, "the rule on varnishing is accepted")

    new = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    assert (await card(api, manager, new))["pipeline_version"] == v2
    assert (await card(api, manager, old))["pipeline_version"] == 1

    await to_production(api, stack, manager, new)
    await to_production(api, stack, manager, old)
    # The old order's way on is its own version's: straight to shipment preparation.
    assert (await card(api, manager, old))["next_stages"] == ["shipment_prep"]
    assert (await move(api, manager, old, "varnishing")).status_code in (409, 422)
    assert (await card(api, manager, new))["next_stages"] == ["varnishing"]

    await to_installation(api, stack, manager, old, via="shipment_prep")
    finished = await api.post(f"/api/v1/orders/{new}/production/finished", headers=production)
    assert finished.status_code == 200, finished.text
    assert (await move(api, manager, new, "varnishing")).status_code == 200

    # The Russian title on the card and in the history.
    seen = await card(api, manager, new)
    assert (seen["stage"], seen["stage_title"]) == ("varnishing", "Лакировка")
    history = (await api.get(f"/api/v1/orders/{new}/history", headers=manager)).json()
    assert any("Лакировка" in h["summary"] for h in history)

    # The board: a varnishing column, titled, holding the new order.
    async def on_board() -> dict[str, Any] | None:
        board = (await api.get("/api/v1/board", headers=manager)).json()
        found = column(board, "varnishing")
        return board if found and any(c["id"] == new for c in found["cards"]) else None

    board = await eventually(on_board, "the new order in the varnishing column")
    keys = [c["stage"] for c in board["columns"]]
    assert keys.index("production") < keys.index("varnishing") < keys.index("shipment_prep")
    assert column(board, "varnishing")["title"] == "Лакировка"  # type: ignore[index]

    # Production sees the order in varnishing (a stage after production in its pipeline), on
    # its card and on its board, and gets the robot's task made on entry.
    assert (await api.get(f"/api/v1/orders/{new}", headers=production)).status_code == 200

    async def production_board() -> bool:
        board = (await api.get("/api/v1/board", headers=production)).json()
        found = column(board, "varnishing")
        return bool(found and any(c["id"] == new for c in found["cards"]))

    await eventually(production_board, "production's board shows varnishing")

    async def robot_task() -> list[dict[str, Any]]:
        reply = await api.get("/api/v1/tasks", headers=production, params={"order_id": new})
        return [t for t in reply.json() if t["title"] == "Проверить лаковое покрытие"]

    assert len(await eventually(robot_task, "the robot's task on entry to varnishing")) == 1

    # The stage limit belongs to the pipeline: the order goes overdue in varnishing and the
    # manager is alerted, naming the stage by its title.
    async def alert() -> list[dict[str, Any]]:
        inbox = (await api.get("/api/v1/notifications", headers=manager)).json()
        return [n for n in inbox if n.get("order_id") == new and "превысил срок" in n["text"]]

    alerts = await eventually(alert, "the overdue alert for varnishing")
    assert "«Лакировка»" in alerts[0]["text"]

    # Report rows: time in stage per stage, varnishing among them once the order left it.
    assert (await move(api, manager, new, "shipment_prep")).status_code == 200
    today = datetime.now(UTC).date()
    span = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}

    async def report_row() -> list[dict[str, Any]]:
        reply = await api.get("/api/v1/reports/stage-durations", headers=director, params=span)
        assert reply.status_code == 200, reply.text
        rows: list[dict[str, Any]] = reply.json()["rows"]
        return [r for r in rows if r["stage"] == "varnishing" and r.get("orders", 1)]

    await eventually(report_row, "a stage-durations row for varnishing")

    # A second version without rework: orders created now cannot go to rework; the old order
    # (version 1) still can.
    v3 = await publish_pipeline(api, director, without_rework().model_dump(mode="json"))
    assert v3 == v2 + 1
    newest = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    assert (await card(api, manager, newest))["pipeline_version"] == v3
    await to_production(api, stack, manager, newest)
    await to_installation(api, stack, manager, newest, via="shipment_prep")
    assert (await card(api, manager, newest))["next_stages"] == ["closed"]
    assert (await move(api, manager, newest, "rework")).status_code in (409, 422)
    assert "rework" in (await card(api, manager, old))["next_stages"]
    board = (await api.get("/api/v1/board", headers=manager)).json()
    assert column(board, "rework") is None  # no stage of v3, and no order is there
    install = visit_booked(old, "installation")
    await publish(stack, install, f"visit-{install.visit_id}")
    await publish(stack, task_completed(install), f"task-{install.task_id}")
    await publish(stack, media_event(old, "photo", "installation"), f"media-{uuid.uuid4()}")
    await until(api, manager, old, lambda c: c["gate"]["unmet"] == [])
    assert (await move(api, manager, old, "rework")).status_code == 200
    board = await eventually(
        lambda: _board_with(api, manager, "rework", old), "the old order in a rework column"
    )
    assert column(board, "rework")["title"] == "Доработка"  # type: ignore[index]


async def _board_with(
    api: httpx.AsyncClient, headers: dict[str, str], stage: str, oid: str
) -> dict[str, Any] | None:
    board: dict[str, Any] = (await api.get("/api/v1/board", headers=headers)).json()
    found = column(board, stage)
    return board if found and any(c["id"] == oid for c in found["cards"]) else None

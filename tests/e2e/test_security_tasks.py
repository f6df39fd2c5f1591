"""Issue 11 (security), role tasks and gates, through the running system as the demo roles.

The probe that found it: an order entering `shipment_prep` or `installation` before a visit
is booked gets a robot's task for the role (no assignee). Every worker of that role was shown
it, could complete it, and that completion opened the stage's gate although the visit's own
task was still open. Here: such a task is neither listed to nor completable by a worker of
the role who may not see the order (404, as for a task that does not exist); booking the visit
hands it to the one booked; and a role task completed without its visit — even by a manager —
does not open the gate, while the booked worker's own task does.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from deploy.local.stack import Stack
from tests.e2e.conftest import NEW_PASSWORD, login
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_real_services_flow import PDF, eventually, upload

TAG = uuid.uuid4().hex[:6]
DEAL = {
    "amount": "120000.00",
    "decor": "Зеркало",
    "finishing": "Эмаль",
    "extra_work": "",
    "payment_terms": "100% предоплата",
}
RESULTS = {"rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2650}]}


@dataclass
class People:
    api: httpx.AsyncClient
    heads: dict[str, dict[str, str]]  # the demo roles, plus "installer2" and "delivery2"
    ids: dict[str, str]


@pytest.fixture(scope="module")
async def people(stack: Stack) -> AsyncIterator[People]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        roles = ("manager", "admin", "measurer", "installer", "delivery", "production")
        heads = {r: await login(api, r) for r in roles}
        # Per use of the fixture: other modules use it too (tests/e2e/test_on_site.py), each
        # module its own people on the one shared stack.
        tag = uuid.uuid4().hex[:6]
        for role in ("installer", "delivery"):
            # A second worker of the role, on none of these orders: the attacker of the probe.
            body = {
                "username": f"{role}_{tag}",
                "display_name": f"Второй {role}",
                "role": role,
                "password": NEW_PASSWORD,
            }
            made = await api.post("/api/v1/users", headers=heads["admin"], json=body)
            assert made.status_code == 201, made.text
            heads[f"{role}2"] = await login(api, body["username"], NEW_PASSWORD)
        ids = {r: (await api.get("/api/v1/me", headers=h)).json()["id"] for r, h in heads.items()}
        yield People(api, heads, ids)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


async def card(p: People, oid: str) -> dict[str, Any]:
    reply = await p.api.get(f"/api/v1/orders/{oid}", headers=p.heads["manager"])
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def unmet(found: dict[str, Any]) -> list[str]:
    return [u["code"] for u in found["gate"]["unmet"]]


async def until(p: People, oid: str, ok: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = await card(p, oid)
        return found if ok(found) else None

    found: dict[str, Any] = await eventually(probe)
    return found


async def move(p: People, oid: str, to: str) -> None:
    """Move once the facts the gate needs have reached the orders service."""

    async def moved() -> bool:
        reply = await p.api.post(
            f"/api/v1/orders/{oid}/transitions", headers=p.heads["manager"], json={"to": to}
        )
        return reply.status_code == 200

    await eventually(moved)


async def book(p: People, oid: str, kind: str, who: str) -> dict[str, Any]:
    """A visit in the worker's first free hour (another test may hold the earlier ones)."""
    now = datetime.now().astimezone()
    span = {
        "from": (now + timedelta(days=1)).isoformat(),
        "to": (now + timedelta(days=20)).isoformat(),
    }
    manager, member = p.heads["manager"], p.ids[who]
    for _ in range(10):
        free = await p.api.get(f"/api/v1/crew/{member}/schedule", headers=manager, params=span)
        assert free.status_code == 200, free.text
        starts = next(
            datetime.fromisoformat(f["starts_at"])
            for f in free.json()["free"]
            if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"])
            >= timedelta(hours=1)
        )
        slot = {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        }
        reply = await p.api.post(
            f"/api/v1/orders/{oid}/visits",
            headers=manager,
            json={"kind": kind, "assignee_id": member, **slot},
        )
        if reply.status_code == 201:
            booked: dict[str, Any] = reply.json()
            return booked
        assert reply.status_code == 409, reply.text  # taken meanwhile by another test
    raise AssertionError(f"no free hour for {who}")


async def tasks(p: People, who: str, **params: str) -> list[dict[str, Any]]:
    reply = await p.api.get("/api/v1/tasks", headers=p.heads[who], params=params)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


async def complete(p: People, who: str, task_id: str, **body: Any) -> httpx.Response:
    return await p.api.post(f"/api/v1/tasks/{task_id}/complete", headers=p.heads[who], json=body)


async def my_open_task(p: People, who: str, oid: str, kind: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        return next(
            (
                t
                for t in await tasks(p, who, mine="true")
                if t["order_id"] == oid and t["kind"] == kind and t["status"] == "open"
            ),
            None,
        )

    found: dict[str, Any] = await eventually(probe)
    return found


async def robot_task(p: People, oid: str, kind: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        return next(
            (
                t
                for t in await tasks(p, "manager", order_id=oid)
                if t["kind"] == kind and t["rule_id"] and t["status"] == "open"
            ),
            None,
        )

    found: dict[str, Any] = await eventually(probe)
    assert found["assignee_id"] is None
    return found


async def assert_hidden_from(p: People, who: str, oid: str, task_id: str) -> None:
    assert task_id not in {t["id"] for t in await tasks(p, who, mine="true")}
    assert task_id not in {t["id"] for t in await tasks(p, who)}
    assert await tasks(p, who, order_id=oid) == []
    refused = await complete(p, who, task_id)
    assert refused.status_code == 404, refused.text
    assert refused.json()["code"] == "not_found"


async def in_shipment_prep(p: People) -> str:
    """A new order walked to `shipment_prep`, as the manager, the measurer and production do."""
    manager = p.heads["manager"]
    order = {**ORDER, "title": f"Шкаф {TAG}"}
    oid: str = (await p.api.post("/api/v1/orders", headers=manager, json=order)).json()["id"]
    await upload(p.api, manager, oid, "document", "requirements", PDF, "application/pdf", "ТЗ.pdf")
    await move(p, oid, "measurement")
    await book(p, oid, "measurement", "measurer")
    measured = await complete(
        p,
        "measurer",
        (await my_open_task(p, "measurer", oid, "measurement"))["id"],
        results=RESULTS,
    )
    assert measured.status_code == 200, measured.text
    await until(p, oid, lambda c: c["stage"] == "contract")  # the robot's move
    deal = await p.api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=DEAL)
    assert deal.status_code == 200, deal.text
    await upload(
        p.api, manager, oid, "document", "signed_contract", PDF, "application/pdf", "Д.pdf"
    )
    await move(p, oid, "production")

    async def finished() -> bool:
        path = f"/api/v1/orders/{oid}/production/finished"
        return (await p.api.post(path, headers=p.heads["production"])).status_code == 200

    await eventually(finished)  # once production's read side shows it the order
    await move(p, oid, "shipment_prep")
    return oid


async def test_a_role_task_of_an_order_not_theirs_is_not_listed_nor_completable(
    people: People,
) -> None:
    p = people
    oid = await in_shipment_prep(p)
    task = await robot_task(p, oid, "delivery")
    assert task["assignee_role"] == "delivery"
    for stranger in ("delivery", "delivery2"):  # neither is on this order yet
        await assert_hidden_from(p, stranger, oid, task["id"])

    booked = await book(p, oid, "delivery", "delivery")
    assert booked["task_id"] == task["id"]  # the robot's task, adopted by the booking
    await assert_hidden_from(p, "delivery2", oid, task["id"])
    mine = await my_open_task(p, "delivery", oid, "delivery")
    assert (mine["id"], mine["visit_id"]) == (task["id"], booked["visit_id"])
    await move(p, oid, "delivery")
    done = await complete(p, "delivery", task["id"], note="доставлено")
    assert done.status_code == 200, done.text
    await until(p, oid, lambda c: unmet(c) == [])
    await move(p, oid, "installation")


async def test_a_role_task_done_without_its_visit_does_not_pass_the_gate(
    people: People,
) -> None:
    p = people
    oid = await in_shipment_prep(p)
    await book(p, oid, "delivery", "delivery")
    await move(p, oid, "delivery")
    delivered = await complete(
        p, "delivery", (await my_open_task(p, "delivery", oid, "delivery"))["id"]
    )
    assert delivered.status_code == 200, delivered.text
    await move(p, oid, "installation")

    stray = await robot_task(p, oid, "installation")
    for stranger in ("installer", "installer2"):
        await assert_hidden_from(p, stranger, oid, stray["id"])
    # A manager may complete any task: this one belongs to no visit.
    done = await complete(p, "manager", stray["id"])
    assert done.status_code == 200, done.text
    booked = await book(p, oid, "installation", "installer")
    assert booked["task_id"] != stray["id"]  # a done task is not adopted: the visit has its own
    # The manager's upload: the installer's own access may still be on its way to the read side.
    await upload(
        p.api, p.heads["manager"], oid, "photo", "installation", jpeg(), "image/jpeg", "м.jpg"
    )

    async def facts_arrived() -> bool:
        history = await p.api.get(f"/api/v1/orders/{oid}/history", headers=p.heads["manager"])
        done_tasks = {
            h["data"].get("task_id") for h in history.json() if h["type"] == "orders.TaskDone"
        }
        found = await card(p, oid)
        return (
            stray["id"] in done_tasks
            and bool(found["photos"])
            and any(v["kind"] == "installation" for v in found["visits"])
        )

    await eventually(facts_arrived)
    refused = await p.api.post(
        f"/api/v1/orders/{oid}/transitions", headers=p.heads["manager"], json={"to": "closed"}
    )
    assert refused.status_code == 409, refused.text
    assert [u["code"] for u in refused.json()["unmet"]] == ["installation_not_done"]

    await assert_hidden_from(p, "installer2", oid, booked["task_id"])
    own = await my_open_task(p, "installer", oid, "installation")
    assert (own["id"], own["visit_id"]) == (booked["task_id"], booked["visit_id"])
    finished = await complete(p, "installer", own["id"], note="смонтировано")
    assert finished.status_code == 200, finished.text
    await until(p, oid, lambda c: unmet(c) == [])
    await move(p, oid, "closed")
    assert (await card(p, oid))["stage"] == "closed"

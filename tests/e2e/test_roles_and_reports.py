"""Roles through the whole system: field roles and production never see commercial fields or
documents on any read path, see no order they have no work on, and get no reports; managers
see the amount on the board (the control that proves the check could fail)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from contracts.events import scheduling
from contracts.events.common import MeasurementResults, RoomMeasurement, VisitKind
from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_order_lifecycle import media_event, move, publish, task_completed, until

AMOUNT = "987654.32"
TERMS = "Предоплата семьдесят процентов"
DEAL = {
    "amount": AMOUNT,
    "decor": "Шпон",
    "finishing": "Лак",
    "extra_work": "Нет",
    "payment_terms": TERMS,
}
# Neither the names nor the values may appear anywhere in a response to these roles.
FORBIDDEN = (
    "amount",
    "payment_terms",
    "prepayment",
    AMOUNT,
    "987654",
    TERMS,
    "signed_contract",
    "contract_draft",
)
ROLES = ("measurer", "installer", "delivery", "production")
REPORTS = ("funnel", "stage-durations", "overdue", "workload", "forecast")


async def me(api: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await api.get("/api/v1/me", headers=headers)).json()["id"])


def booked(oid: str, kind: VisitKind, who: uuid.UUID) -> scheduling.VisitBooked:
    start = datetime.now(UTC) + timedelta(days=1)
    return scheduling.VisitBooked(
        visit_id=uuid.uuid4(),
        order_id=uuid.UUID(oid),
        kind=kind,
        assignee_id=who,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        task_id=uuid.uuid4(),
    )


async def order_in_production(
    api: httpx.AsyncClient, stack: Stack, crew: dict[str, uuid.UUID]
) -> str:
    """An order with deal terms, a signed contract, and a visit for every field role."""
    manager = await login(api, "manager")
    oid: str = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    await publish(stack, media_event(oid, "document", "requirements"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: c["documents"])
    assert (await move(api, manager, oid, "measurement")).status_code == 200
    visit = booked(oid, "measurement", crew["measurer"])
    await publish(stack, visit, f"visit-{visit.visit_id}")
    for role, kind in (("installer", "installation"), ("delivery", "delivery")):
        other = booked(oid, kind, crew[role])  # type: ignore[arg-type]
        await publish(stack, other, f"visit-{other.visit_id}")
    rooms = MeasurementResults(rooms=[RoomMeasurement(name="Кухня", width_mm=3000, height_mm=2600)])
    await publish(stack, task_completed(visit, rooms), f"task-{visit.task_id}")
    await until(api, manager, oid, lambda c: not c["gate"]["unmet"])
    if (await move(api, manager, oid, "contract")).status_code != 200:  # a robot was faster
        await until(api, manager, oid, lambda c: c["stage"] == "contract")
    assert (
        await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=DEAL)
    ).status_code == 200
    await publish(stack, media_event(oid, "document", "signed_contract"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: len(c["documents"]) == 2)
    assert (await move(api, manager, oid, "production")).status_code == 200
    comment = {"text": "Согласовали цвет фасадов"}
    assert (
        await api.post(f"/api/v1/orders/{oid}/comments", headers=manager, json=comment)
    ).status_code == 201
    return oid


async def reads(
    api: httpx.AsyncClient, headers: dict[str, str], oid: str
) -> dict[str, httpx.Response]:
    paths = {
        "board": "/api/v1/board?limit=500",
        "card": f"/api/v1/orders/{oid}",
        "history": f"/api/v1/orders/{oid}/history",
        "comments": f"/api/v1/orders/{oid}/comments",
        "media": f"/api/v1/orders/{oid}/media",
    }
    for name in REPORTS:
        paths[f"report {name}"] = f"/api/v1/reports/{name}"
        paths[f"report {name} csv"] = f"/api/v1/reports/{name}?format=csv"
    return {name: await api.get(path, headers=headers) for name, path in paths.items()}


async def test_no_commercial_data_reaches_field_roles_or_production(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    heads = {role: await login(api, role) for role in (*ROLES, "manager", "director")}
    crew = {role: await me(api, heads[role]) for role in ROLES}
    oid = await order_in_production(api, stack, crew)
    manager_board = (
        await api.get("/api/v1/board", headers=heads["manager"], params={"limit": 500})
    ).json()
    # the control: the read side has the amount, and managers see it
    deadline = asyncio.get_running_loop().time() + 30
    while AMOUNT not in json.dumps(manager_board):
        assert asyncio.get_running_loop().time() < deadline, "the board never showed the amount"
        await asyncio.sleep(0.3)
        manager_board = (
            await api.get("/api/v1/board", headers=heads["manager"], params={"limit": 500})
        ).json()
    for role in ROLES:
        answers = await reads(api, heads[role], oid)
        assert answers["card"].status_code == 200, (role, answers["card"].text)
        assert oid in answers["board"].text, role
        for name, reply in answers.items():
            assert reply.status_code < 500, (role, name, reply.text)
            if name.startswith("report"):
                assert reply.status_code == 403, (role, name)
            for word in FORBIDDEN:
                assert word not in reply.text, (role, name, word)
    director = await reads(api, heads["director"], oid)
    assert director["report funnel csv"].text.startswith("stage,title,entered")
    assert all(director[f"report {n}"].status_code == 200 for n in REPORTS)


async def test_the_office_promises_a_day_and_the_forecast_report_says_if_it_holds(
    api: httpx.AsyncClient,
) -> None:
    manager, installer = await login(api, "manager"), await login(api, "installer")
    director = await login(api, "director")
    oid: str = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    path = f"/api/v1/orders/{oid}/promised-date"
    today = datetime.now(ZoneInfo("Europe/Moscow")).date().isoformat()
    refused = await api.put(path, headers=installer, json={"promised_date": today})
    assert refused.status_code in (403, 404), refused.text  # not theirs to promise, nor see
    bad = await api.put(path, headers=manager, json={"promised_date": "01.12.2026"})
    assert bad.status_code == 422, bad.text
    promised = await api.put(path, headers=manager, json={"promised_date": today})
    assert promised.status_code == 200, promised.text
    assert promised.json()["promised_date"] == today

    deadline = asyncio.get_running_loop().time() + 30
    while True:
        report = (await api.get("/api/v1/reports/forecast", headers=director)).json()
        row = next((r for r in report["rows"] if r["order_id"] == oid), None)
        if row is not None and row["promised_date"] == today:
            break
        assert asyncio.get_running_loop().time() < deadline, "the forecast never had the order"
        await asyncio.sleep(0.3)
    # A new order in intake is weeks from closing (stage limits, or medians): late today.
    assert row["late"] is True
    assert row["expected_close"] > today
    csv = await api.get("/api/v1/reports/forecast?format=csv", headers=director)
    assert csv.text.startswith("order_id,number,title,stage,stage_title,expected_close")
    assert oid in csv.text


async def test_a_field_role_gets_404_on_every_endpoint_of_an_order_not_theirs(
    api: httpx.AsyncClient,
) -> None:
    manager, measurer = await login(api, "manager"), await login(api, "measurer")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    await until(api, manager, oid, lambda c: c["id"] == oid)
    calls = [
        ("GET", f"/api/v1/orders/{oid}", None),
        ("GET", f"/api/v1/orders/{oid}/history", None),
        ("GET", f"/api/v1/orders/{oid}/comments", None),
        ("POST", f"/api/v1/orders/{oid}/comments", {"text": "привет"}),
        ("GET", f"/api/v1/orders/{oid}/media", None),
    ]
    for method, path, body in calls:
        reply = await api.request(method, path, headers=measurer, json=body)
        assert reply.status_code == 404, (path, reply.status_code, reply.text)
    board = (await api.get("/api/v1/board", headers=measurer, params={"limit": 500})).text
    assert oid not in board


async def order_visited_by(
    api: httpx.AsyncClient, stack: Stack, who: dict[str, str], kind: VisitKind
) -> str:
    """A new order with a `kind` visit for `who`, once they can see it."""
    manager = await login(api, "manager")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    visit = booked(oid, kind, await me(api, who))
    await publish(stack, visit, f"visit-{visit.visit_id}")
    async with asyncio.timeout(30):  # until the access read model has the visit
        while (await api.get(f"/api/v1/orders/{oid}", headers=who)).status_code != 200:
            await asyncio.sleep(0.2)
    return str(oid)


async def order_with_a_measurer(
    api: httpx.AsyncClient, stack: Stack
) -> tuple[dict[str, str], dict[str, str], str]:
    """A new order with a measurement visit for `measurer`, once they can see it."""
    manager, measurer = await login(api, "manager"), await login(api, "measurer")
    return manager, measurer, await order_visited_by(api, stack, measurer, "measurement")


async def test_the_event_stream_pushes_a_change_on_an_order_the_caller_works_on(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager, measurer, oid = await order_with_a_measurer(api, stack)
    frames: list[str] = []
    async with api.stream("GET", "/api/v1/events/stream", headers=measurer) as stream:
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("event: ready")
        await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=DEAL)
        await api.post(f"/api/v1/orders/{oid}/comments", headers=manager, json={"text": "готово"})
        async with asyncio.timeout(30):
            async for line in lines:
                frames.append(line)
                if line.startswith("data:") and oid in line and "CommentPosted" in line:
                    break
    pushed = "\n".join(frames)
    assert "event: chat" in pushed
    assert "DealTermsRecorded" not in pushed  # the deal came first: it would have been pushed


async def test_a_mention_reaches_the_person_as_a_realtime_notification(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager, measurer, oid = await order_with_a_measurer(api, stack)
    async with api.stream("GET", "/api/v1/events/stream", headers=measurer) as stream:
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("event: ready")
        text = {"text": "@measurer уточните высоту потолка"}
        assert (
            await api.post(f"/api/v1/orders/{oid}/comments", headers=manager, json=text)
        ).status_code == 201
        async with asyncio.timeout(30):
            async for line in lines:
                if line == "event: notification":
                    data = json.loads((await anext(lines)).removeprefix("data: "))
                    break
    assert data["order_id"] == oid
    assert "упомянул(а) вас" in data["text"]
    inbox = (
        await api.get("/api/v1/notifications", headers=measurer, params={"unread": "true"})
    ).json()
    assert any(n["id"] == data["id"] for n in inbox)

"""A whole order driven from intake to closed through the gateway, with the other services'
facts (documents, visits, tasks, photos, a robot's move) published to the real broker as the
contract events those services emit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from contracts.envelope import Actor, Envelope
from contracts.events import media, registry, scheduling
from contracts.events.common import MeasurementResults, MediaKind, RoomMeasurement, VisitKind
from contracts.topics import partition_key, topic_for
from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER

SOMEONE = uuid.uuid4()


async def publish(stack: Stack, event: BaseModel, stream_id: str) -> uuid.UUID:
    name = registry.type_name(event)
    envelope = Envelope(
        event_id=uuid.uuid4(),
        type=name,
        schema_version=registry.current_version(name),
        stream_id=stream_id,
        stream_version=1,
        occurred_at=datetime.now(UTC),
        actor=Actor(kind="user", id=str(SOMEONE), username="crew", role="measurer"),
        correlation_id=str(uuid.uuid4()),
        data=event.model_dump(mode="json"),
    )
    producer = AIOKafkaProducer(bootstrap_servers=stack.urls["kafka"], acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topic_for(name), envelope.to_json_bytes(), key=partition_key(stream_id)
        )
    finally:
        await producer.stop()
    return envelope.event_id


async def card(api: httpx.AsyncClient, headers: dict[str, str], oid: str) -> dict[str, Any]:
    reply = await api.get(f"/api/v1/orders/{oid}", headers=headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def until(
    api: httpx.AsyncClient, headers: dict[str, str], oid: str, check: Any
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        body = await card(api, headers, oid)
        if check(body):
            return body
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.2)


def _unmet(card: dict[str, Any]) -> list[str]:
    """What still blocks leaving the current stage, as the card reports it."""
    return [u["code"] for u in card["gate"]["unmet"]]


async def move(
    api: httpx.AsyncClient, headers: dict[str, str], oid: str, to: str, **extra: Any
) -> httpx.Response:
    return await api.post(
        f"/api/v1/orders/{oid}/transitions", headers=headers, json={"to": to, **extra}
    )


def media_event(oid: str, kind: MediaKind, purpose: str) -> media.MediaUploaded:
    return media.MediaUploaded(
        media_id=uuid.uuid4(),
        order_id=uuid.UUID(oid),
        kind=kind,
        purpose=purpose,
        filename=f"{purpose}.pdf" if kind == "document" else f"{purpose}.jpg",
        content_type="application/pdf" if kind == "document" else "image/jpeg",
        size=1000,
        uploaded_by=SOMEONE,
    )


def visit_booked(oid: str, kind: VisitKind) -> scheduling.VisitBooked:
    start = datetime.now(UTC) + timedelta(days=1)
    return scheduling.VisitBooked(
        visit_id=uuid.uuid4(),
        order_id=uuid.UUID(oid),
        kind=kind,
        assignee_id=SOMEONE,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        task_id=uuid.uuid4(),
    )


def task_completed(
    booked: scheduling.VisitBooked, results: MeasurementResults | None = None
) -> scheduling.TaskCompleted:
    return scheduling.TaskCompleted(
        task_id=booked.task_id,
        order_id=booked.order_id,
        visit_id=booked.visit_id,
        kind=booked.kind,
        completed_by=SOMEONE,
        results=results,
    )


async def test_an_order_goes_from_intake_to_closed(api: httpx.AsyncClient, stack: Stack) -> None:
    manager = await login(api, "manager")
    production = await login(api, "production")
    created = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()
    oid = created["id"]

    # intake: the gate lists what is missing, in Russian by default
    refused = await move(api, manager, oid, "measurement")
    assert refused.status_code == 409
    assert refused.json()["code"] == "gate_unmet"
    assert [u["code"] for u in refused.json()["unmet"]] == ["documents_missing"]
    assert refused.json()["unmet"][0]["message"] == "Не приложен ни один документ"
    await publish(stack, media_event(oid, "document", "requirements"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: c["documents"])
    assert (await move(api, manager, oid, "measurement")).status_code == 200

    # measurement: the measurer's task with results; then a robot moves the order on
    booked = visit_booked(oid, "measurement")
    await publish(stack, booked, f"visit-{booked.visit_id}")
    rooms = MeasurementResults(
        rooms=[RoomMeasurement(name="Прихожая", width_mm=2400, height_mm=2650)]
    )
    done_id = await publish(stack, task_completed(booked, rooms), f"task-{booked.task_id}")
    await until(api, manager, oid, lambda c: _unmet(c) == [])
    robot = scheduling.StageMoveRequested(
        order_id=uuid.UUID(oid),
        to_stage="contract",
        rule_id="measurement-done-to-contract",
        cause_event_id=done_id,
        cause_type="scheduling.TaskCompleted",
    )
    await publish(stack, robot, f"rule-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: c["stage"] == "contract")
    history = (await api.get(f"/api/v1/orders/{oid}/history", headers=manager)).json()
    robot_move = next(
        h for h in history if h["type"] == "orders.StageChanged" and h["data"]["by_rule_id"]
    )
    assert robot_move["data"]["cause_event_id"] == str(done_id)
    assert robot_move["actor"]["kind"] == "robot"
    # Plain words, no rule id: the robot, and its cause as that task's own line.
    assert robot_move["summary"] == (
        "Переход: Замер → Заключение сделки (робот, причина: «Задача выполнена: Замер»)"
    )

    # contract: deal terms and the signed contract
    refused = await move(api, manager, oid, "production")
    assert {u["code"] for u in refused.json()["unmet"]} == {
        "deal_terms_missing",
        "signed_contract_missing",
    }
    deal = {
        "amount": "185000.00",
        "decor": "Зеркало",
        "finishing": "Эмаль",
        "extra_work": "Демонтаж",
        "payment_terms": "50% предоплата",
    }
    assert (
        await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=deal)
    ).status_code == 200
    await publish(stack, media_event(oid, "document", "signed_contract"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: len(c["documents"]) == 2)
    assert (await move(api, manager, oid, "production")).status_code == 200

    # production: production marks it finished, and sees no commercial data on the card
    # (production sees orders from the `production` stage on, once the read side has it)
    deadline = asyncio.get_running_loop().time() + 30
    while (await api.get(f"/api/v1/orders/{oid}", headers=production)).status_code == 404:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)
    seen = await card(api, production, oid)
    assert "deal" not in seen
    assert "185000" not in str(seen)
    assert all(d["purpose"] != "signed_contract" for d in seen["documents"])
    finished = await api.post(f"/api/v1/orders/{oid}/production/finished", headers=production)
    assert finished.status_code == 200, finished.text
    assert (await move(api, manager, oid, "shipment_prep")).status_code == 200

    # shipment and delivery
    delivery = visit_booked(oid, "delivery")
    await publish(stack, delivery, f"visit-{delivery.visit_id}")
    await until(api, manager, oid, lambda c: any(v["kind"] == "delivery" for v in c["visits"]))
    assert (await move(api, manager, oid, "delivery")).status_code == 200
    await publish(stack, task_completed(delivery), f"task-{delivery.task_id}")
    await until(api, manager, oid, lambda c: _unmet(c) == [])
    assert (await move(api, manager, oid, "installation")).status_code == 200

    # installation: cannot close without photos from the site
    install = visit_booked(oid, "installation")
    await publish(stack, install, f"visit-{install.visit_id}")
    await publish(stack, task_completed(install), f"task-{install.task_id}")
    await until(api, manager, oid, lambda c: _unmet(c) == ["installation_photos_missing"])
    refused = await move(api, manager, oid, "closed")
    assert [u["code"] for u in refused.json()["unmet"]] == ["installation_photos_missing"]
    await publish(stack, media_event(oid, "photo", "installation"), f"media-{uuid.uuid4()}")
    await until(api, manager, oid, lambda c: c["photos"])
    closed = await move(api, manager, oid, "closed")
    assert closed.status_code == 200
    assert closed.json()["stage"] == "closed"


async def test_concurrent_transitions_at_one_version_apply_once(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager = await login(api, "manager")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    version = (await card(api, manager, oid))["version"]
    replies = await asyncio.gather(
        *(
            move(api, manager, oid, "cancelled", reason=f"отказ {i}", expected_version=version)
            for i in range(20)
        )
    )
    statuses = [r.status_code for r in replies]
    assert statuses.count(200) == 1, statuses
    assert set(statuses) == {200, 409}
    history = (await api.get(f"/api/v1/orders/{oid}/history", headers=manager)).json()
    assert [h["type"] for h in history] == ["orders.OrderCreated", "orders.StageChanged"]


async def test_bad_commands_on_an_order(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    cases = [
        (422, "unknown_stage", await move(api, manager, oid, "warehouse")),
        (
            409,
            "version_conflict",
            await move(api, manager, oid, "measurement", expected_version=99),
        ),
        (
            409,
            "version_conflict",
            await move(api, manager, oid, "measurement", expected_version=0),
        ),
        (409, "transition_not_allowed", await move(api, manager, oid, "production")),
        (409, "gate_unmet", await move(api, manager, oid, "measurement")),
        (422, "reason_required", await move(api, manager, oid, "cancelled")),
        (404, "not_found", await move(api, manager, str(uuid.uuid4()), "measurement")),
        (
            413,
            "too_large",
            await api.post(
                f"/api/v1/orders/{oid}/comments", headers=manager, json={"text": "я" * 1_000_000}
            ),
        ),
        (
            422,
            "invalid_input",
            await api.put(
                f"/api/v1/orders/{oid}/deal",
                headers=manager,
                json={"amount": "-5", "payment_terms": "x"},
            ),
        ),
        (
            403,
            "forbidden",
            await api.put(
                f"/api/v1/orders/{oid}/deal",
                headers=await login(api, "production"),
                json={"amount": "5", "payment_terms": "x"},
            ),
        ),
    ]
    for status, code, reply in cases:
        assert reply.status_code == status, (code, reply.text)
        assert reply.json()["code"] == code, reply.text
    # nothing was half-applied: the order is still fresh, at version 1
    assert (await card(api, manager, oid))["version"] == 1


async def test_chat_resolves_mentions_and_lists_comments(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    oid = (await api.post("/api/v1/orders", json=ORDER, headers=manager)).json()["id"]
    posted = await api.post(
        f"/api/v1/orders/{oid}/comments",
        headers=manager,
        json={"text": "@director посмотрите, @nobody тоже"},
    )
    assert posted.status_code == 201, posted.text
    assert [m["username"] for m in posted.json()["mentions"]] == ["director"]
    comments = (await api.get(f"/api/v1/orders/{oid}/comments", headers=manager)).json()
    assert comments[0]["text"].startswith("@director")
    assert comments[0]["author"]["username"] == "manager"


async def test_the_pipeline_is_data_a_director_can_version(api: httpx.AsyncClient) -> None:
    director = await login(api, "director")
    current = (await api.get("/api/v1/pipeline", headers=director)).json()
    assert [s["key"] for s in current["stages"]][:2] == ["intake", "measurement"]
    bad = {**current, "forward": {"intake": ["nowhere"]}}
    refused = await api.put("/api/v1/pipeline", headers=director, json=bad)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_pipeline"
    manager = await login(api, "manager")
    assert (await api.put("/api/v1/pipeline", headers=manager, json=current)).status_code == 403

"""Admin administers and does not see orders or money (issue 14, item 5), through the whole
system: every path to an order answers 403 (what the role may not do at all: the board,
reports and their CSV, customers, calendars) or 404 (an order, its history, chat, files,
visits: as for one that does not exist); a mention does not reach admin. What admin does —
users, crews' hours, robots, the pipeline — works. The live stream is swept in
tests/e2e/test_security_sweep.py (no frame at all, and proof that it read every change).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_real_services_flow import PDF, upload
from tests.e2e.test_roles_and_reports import REPORTS, me, order_in_production, reads

FIELD = ("measurer", "installer", "delivery")


async def _order_with_a_file(api: httpx.AsyncClient, stack: Stack) -> tuple[str, str]:
    crew = {role: await me(api, await login(api, role)) for role in (*FIELD, "production")}
    oid = await order_in_production(api, stack, crew)
    manager = await login(api, "manager")
    done = await upload(
        api, manager, oid, "document", "requirements", PDF, "application/pdf", "a.pdf"
    )
    return oid, str(done["media_id"])


async def test_every_path_to_an_order_is_closed_to_admin(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    oid, media_id = await _order_with_a_file(api, stack)
    admin, manager = await login(api, "admin"), await login(api, "manager")
    # The control: the manager reads each of these.
    assert (await api.get(f"/api/v1/media/{media_id}", headers=manager)).status_code == 200
    answers = await reads(api, admin, oid)
    assert answers["board"].status_code == 403, answers["board"].text
    assert "orders.see" in answers["board"].json()["detail"]
    for name in ("card", "history", "comments", "media"):
        assert answers[name].status_code == 404, (name, answers[name].text)
    for name in REPORTS:
        assert answers[f"report {name}"].status_code == 403, name
        assert answers[f"report {name} csv"].status_code == 403, name
    refused = {
        f"/api/v1/board/cards/{oid}": 403,
        f"/api/v1/orders/{oid}/visits": 404,
        f"/api/v1/media/{media_id}": 404,
        "/api/v1/customers?phone=%2B79161234567": 403,
    }
    for path, status in refused.items():
        reply = await api.get(path, headers=admin)
        assert reply.status_code == status, (path, reply.text)
    measurer = await me(api, await login(api, "measurer"))
    week = {"from": "2030-03-04T00:00:00+03:00", "to": "2030-03-11T00:00:00+03:00"}
    schedule = await api.get(f"/api/v1/crew/{measurer}/schedule", headers=admin, params=week)
    assert schedule.status_code == 404, schedule.text  # a calendar's visits name orders
    assert (await api.get("/api/v1/crew/calendar", headers=admin, params=week)).status_code == 403
    # Chat is for those who see orders: refused for the role before the order is looked up.
    posted = await api.post(f"/api/v1/orders/{oid}/comments", headers=admin, json={"text": "x"})
    assert posted.status_code == 403, posted.text
    upload_asked = {
        "kind": "document",
        "purpose": "other",
        "filename": "x.pdf",
        "content_type": "application/pdf",
        "size": 10,
    }
    started = await api.post(f"/api/v1/orders/{oid}/media", headers=admin, json=upload_asked)
    assert started.status_code == 404, started.text
    tasks = (await api.get("/api/v1/tasks", headers=admin, params={"order_id": oid})).json()
    assert tasks == []
    every = (await api.get("/api/v1/tasks", headers=admin)).json()
    assert [t for t in every if t["order_id"] is not None] == []


async def test_a_mention_does_not_reach_admin(api: httpx.AsyncClient, stack: Stack) -> None:
    manager, admin = await login(api, "manager"), await login(api, "admin")
    oid = (
        await api.post(
            "/api/v1/orders",
            headers=manager,
            json={
                "title": "Шкаф-купе",
                "customer": {"name": "Упоминаев", "phone": "+7 916 000-11-22", "address": "Тула"},
            },
        )
    ).json()["id"]
    marker = f"сумма-{uuid.uuid4().hex[:8]}"
    posted = await api.post(
        f"/api/v1/orders/{oid}/comments", headers=manager, json={"text": f"@admin {marker}"}
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["not_notified"] == [{"username": "admin", "reason": "no_access"}]
    inbox = await api.get("/api/v1/notifications", headers=admin)
    assert inbox.status_code == 200, inbox.text
    assert marker not in inbox.text
    assert [n for n in inbox.json() if n.get("order_id") == oid] == []


async def _rule(api: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    rules = await api.get("/api/v1/automation/rules", headers=admin)
    assert rules.status_code == 200, rules.text
    first: dict[str, Any] = rules.json()[0]
    return first


async def test_admin_administers_users_crews_robots_and_the_pipeline(
    api: httpx.AsyncClient,
) -> None:
    admin = await login(api, "admin")
    users = await api.get("/api/v1/users", headers=admin)
    assert users.status_code == 200, users.text
    assert {"manager", "admin"} <= {u["username"] for u in users.json()}

    # A crew member's days off, from the crew list (it shows hours, never an order).
    crew = await api.get("/api/v1/crew", headers=admin, params={"role": "installer"})
    assert crew.status_code == 200, crew.text
    member = next(c for c in crew.json() if c["username"] == "installer")
    before = member["days_off"]
    path = f"/api/v1/crew/{member['id']}"
    changed = await api.put(path, headers=admin, json={"days_off": [*before, "2031-01-05"]})
    assert changed.status_code == 200, changed.text
    assert "2031-01-05" in changed.json()["days_off"]
    restored = await api.put(path, headers=admin, json={"days_off": before})
    assert restored.status_code == 200, restored.text

    # A robot saved as it was read; one that would notify admin of an order is refused.
    rule = await _rule(api, admin)
    saved = await api.put(f"/api/v1/automation/rules/{rule['id']}", headers=admin, json=rule)
    assert saved.status_code == 200, saved.text
    to_admin = {"type": "notify", "role": "admin", "text_ru": "{number}", "text_en": "{number}"}
    useless = {**saved.json(), "actions": [to_admin]}
    refused = await api.put(f"/api/v1/automation/rules/{rule['id']}", headers=admin, json=useless)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "role_sees_no_orders"

    # The pipeline it edits is shown whole: the deal's and the contract's conditions too.
    pipeline = await api.get("/api/v1/pipeline", headers=admin)
    assert pipeline.status_code == 200, pipeline.text
    codes = {c["code"] for s in pipeline.json()["stages"] for c in s["gate"]}
    assert {"deal_terms_missing", "signed_contract_missing"} <= codes
    # Allowed to publish one (an invalid body is a 422, not a 403), none published here.
    invalid = await api.put("/api/v1/pipeline", headers=admin, json={"stages": []})
    assert invalid.status_code == 422, invalid.text

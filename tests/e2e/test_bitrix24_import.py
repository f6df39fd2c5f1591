"""Import from Bitrix24 through the whole system (issue 20): a portal of 200 deals, 150
contacts and their stage histories (tests/bitrix24_fixture.py) becomes 200 orders in the mapped
stages, with their customers and their history dated as in Bitrix24, so the stage-duration
report counts the past; a dry run reports the same and writes nothing; a re-run creates
nothing; field roles never see the imported amounts; bad documents are refused with a reason.

One import per module, on a stack of its own (200 orders would change what the shared stack's
other tests count). The failure halfway is tests/integration/test_bitrix24_atomic.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from deploy.local.stack import Stack
from tests import bitrix24_fixture as b24
from tests.conftest import Infra
from tests.e2e.conftest import login
from tests.e2e.own_stack import own_stack

IMPORT = "/api/v1/imports/bitrix24"
SEARCH = "фамилия"  # every imported customer's name has it; no demo order's does
FIELD_SECRETS = ("amount", "OPPORTUNITY", "скидка", "Сделка 1:", "50000", "bitrix24:deal")


@dataclass
class Imported:
    dry: dict[str, Any]
    seen_after_dry: int
    report: dict[str, Any]
    again: dict[str, Any]
    job: dict[str, Any]
    board: dict[str, Any]
    accepted: dict[str, Any]  # the re-run's 202, asked not to wait
    recent: list[dict[str, Any]]


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(infra, tmp_path_factory.mktemp("bitrix24-stack"), "bitrix24") as running:
        yield running


@pytest.fixture(scope="module")
def imported(stack: Stack) -> Imported:
    return asyncio.run(_import_once(stack.urls["gateway"]))


async def board(api: httpx.AsyncClient, head: dict[str, str], **params: Any) -> dict[str, Any]:
    reply = await api.get("/api/v1/board", headers=head, params={"limit": 500, **params})
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def counts(found: dict[str, Any]) -> dict[str, int]:
    return {c["stage"]: c["count"] for c in found["columns"] if c["count"]}


async def _import_once(url: str) -> Imported:
    async with httpx.AsyncClient(base_url=url, timeout=60) as api:
        admin = await login(api, "admin")
        director = await login(api, "director")
        portal = b24.portal()
        dry = await api.post(IMPORT, headers=admin, params={"dry_run": "true"}, json=portal)
        assert dry.status_code == 200, dry.text
        await asyncio.sleep(1.0)  # what it wrote, had it written anything, would show by now
        seen_after_dry = sum(counts(await board(api, director, q=SEARCH)).values())
        real = await api.post(IMPORT, headers=admin, json=portal)
        assert real.status_code == 200, real.text
        expected = dict(Counter(b24.expected_stage(i) for i in range(b24.DEALS)))
        deadline = asyncio.get_running_loop().time() + 60
        while counts(found := await board(api, director, q=SEARCH)) != expected:
            assert asyncio.get_running_loop().time() < deadline, counts(found)
            await asyncio.sleep(0.3)
        # The re-run as a client that follows the job: 202 at once, then GET /imports/{id}.
        accepted = await api.post(IMPORT, headers=admin, params={"wait": "0"}, json=portal)
        assert accepted.status_code == 202, accepted.text
        again = await follow(api, admin, accepted.json()["id"])
        job = await api.get(f"/api/v1/imports/{real.json()['id']}", headers=admin)
        assert job.status_code == 200, job.text
        recent = await api.get("/api/v1/imports", headers=admin)
        assert recent.status_code == 200, recent.text
        return Imported(
            dry.json(),
            seen_after_dry,
            real.json(),
            again,
            job.json(),
            found,
            accepted.json(),
            recent.json()["imports"],
        )


async def follow(api: httpx.AsyncClient, head: dict[str, str], job_id: str) -> dict[str, Any]:
    """The job's report once it is no longer running."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        reply = await api.get(f"/api/v1/imports/{job_id}", headers=head)
        assert reply.status_code == 200, reply.text
        job: dict[str, Any] = reply.json()
        if job["status"] != "running":
            assert job["status"] == "done", job
            return dict(job["report"])
        assert asyncio.get_running_loop().time() < deadline, job
        await asyncio.sleep(0.2)


def order_of(imported: Imported, deal_id: str) -> str:
    line = next(o for o in imported.report["orders"] if o["deal_id"] == deal_id)
    return str(line["order_id"])


def test_the_dry_run_reports_what_the_import_then_does_and_writes_nothing(
    imported: Imported,
) -> None:
    dry, real = imported.dry, imported.report
    assert dry["dry_run"] is True
    assert (dry["created"], dry["updated"], dry["skipped"], dry["unmapped_stages"]) == (
        200,
        0,
        [],
        [],
    )
    assert imported.seen_after_dry == 0
    # Had the dry run written anything, the import (keyed by deal) would have created less.
    assert real["created"] == 200
    assert [(o["deal_id"], o["stage"]) for o in dry["orders"]] == [
        (o["deal_id"], o["stage"]) for o in real["orders"]
    ]
    # The ghost (no user here with its e-mail) is reported; its deals have no manager.
    assert [u["id"] for u in real["unmatched_users"]] == ["9"]


def test_every_deal_is_an_order_in_its_mapped_stage(imported: Imported) -> None:
    stages = {o["deal_id"]: o["stage"] for o in imported.report["orders"]}
    assert stages == {str(i + 1): b24.expected_stage(i) for i in range(b24.DEALS)}
    assert counts(imported.board) == dict(Counter(stages.values()))


async def test_the_customer_comes_from_the_linked_contact(
    api: httpx.AsyncClient, imported: Imported
) -> None:
    manager = await login(api, "manager")
    card = (await api.get(f"/api/v1/orders/{order_of(imported, '152')}", headers=manager)).json()
    contact = 151 % b24.CONTACTS + 1  # deal i + 1 links contact i % 150 + 1
    assert card["title"] == "Шкаф-купе №152"
    assert card["customer"]["name"] == f"Клиент{contact} Фамилия{contact}"
    assert card["customer"]["phone"] == b24.e164(contact)
    assert "ул. Липовая" in json.dumps(card["customer"]["address"], ensure_ascii=False)
    # The office sees the amount (the control for the field roles' test below).
    assert card["deal"]["amount"].startswith(str(50000 + 151 * 1000))


async def test_the_history_is_dated_as_in_bitrix24(
    api: httpx.AsyncClient, imported: Imported
) -> None:
    director = await login(api, "director")
    oid = order_of(imported, "5")
    history = (await api.get(f"/api/v1/orders/{oid}/history", headers=director)).json()
    moves = [(e["data"]["to_stage"], datetime.fromisoformat(e["at"])) for e in history
             if e["type"] == "orders.StageChanged"]  # fmt: skip
    portal = b24.portal()
    entered = {
        h["STAGE_ID"]: datetime.fromisoformat(h["CREATED_TIME"])
        for h in portal["stage_history"]
        if h["OWNER_ID"] == "5"
    }
    assert moves == [(b24.STAGE_MAP[s], entered[s]) for s in b24.FUNNEL[1:]]
    created = next(e for e in history if e["type"] == "orders.OrderCreated")
    assert datetime.fromisoformat(created["at"]) == entered["NEW"]
    assert created["summary"].endswith("создан в Битрикс24"), created["summary"]


async def test_imported_history_wakes_no_robot(api: httpx.AsyncClient, imported: Imported) -> None:
    """Deal 5 went through measurement, contract, production into installation in Bitrix24:
    each of those entries would make a robot's task here if it were news. It is history."""
    manager = await login(api, "manager")
    await asyncio.sleep(1.0)  # scheduling follows the same log as the board, which has it all
    tasks = await api.get(
        "/api/v1/tasks", headers=manager, params={"order_id": order_of(imported, "5")}
    )
    assert tasks.status_code == 200, tasks.text
    assert tasks.json() == []
    # Nor is any order news, nor a stage limit it had overstayed already in Bitrix24 (many
    # of the 200 had): the board shows them late (scheduling's OrderOverdue reached the
    # projections), yet no notice names an imported order; the morning summary counts them.
    director = await login(api, "director")
    deadline = asyncio.get_running_loop().time() + 60
    while not any(c["overdue"] for col in (await board(api, director, q=SEARCH))["columns"]
                  for c in col["cards"]):  # fmt: skip
        assert asyncio.get_running_loop().time() < deadline, "no imported order shows late"
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)  # notifications reads the same scheduling topic
    ours = {o["order_id"] for o in imported.report["orders"]}
    for who in ("director", "manager"):
        inbox = await api.get("/api/v1/notifications", headers=await login(api, who))
        assert inbox.status_code == 200, inbox.text
        assert [n["text"] for n in inbox.json() if n["order_id"] in ours] == [], who


def test_a_second_run_creates_nothing(imported: Imported) -> None:
    again = imported.again
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 200)


def test_the_import_job_shows_it_done(imported: Imported) -> None:
    job = imported.job
    assert (job["status"], job["done"], job["total"]) == ("done", 200, 200)
    assert job["report"]["created"] == 200
    assert job["started_by"] == "admin"


def test_a_client_that_does_not_wait_gets_the_job_and_follows_it(imported: Imported) -> None:
    accepted = imported.accepted
    assert (accepted["status"], accepted["done"], accepted["total"]) == ("running", 0, 200)
    assert accepted["report"] is None
    assert imported.again["id"] == accepted["id"]


def test_the_admin_sees_the_latest_imports_newest_first(imported: Imported) -> None:
    recent = imported.recent
    assert [(j["dry_run"], j["status"]) for j in recent] == [
        (False, "done"),
        (False, "done"),
        (True, "done"),
    ]
    assert recent[0]["id"] == imported.accepted["id"]
    assert recent[1]["id"] == imported.report["id"]
    assert all(j["report"] is None and j["started_by"] == "admin" for j in recent)


async def test_the_stage_duration_report_counts_the_bitrix24_past(
    api: httpx.AsyncClient, imported: Imported
) -> None:
    assert imported.report["created"] == 200
    director = await login(api, "director")
    reply = await api.get(
        "/api/v1/reports/stage-durations",
        headers=director,
        params={"from": "2025-03-01", "to": "2025-12-31"},
    )
    assert reply.status_code == 200, reply.text
    rows = {r["stage"]: r for r in reply.json()["rows"]}
    for stage, hours in b24.STAY_HOURS.items():
        left = sum(1 for i in range(b24.DEALS) if b24.passes_through(i, stage))
        assert (rows[stage]["count"], rows[stage]["median_hours"]) == (left, hours), stage


async def test_field_roles_never_see_imported_amounts_or_comments(
    api: httpx.AsyncClient, imported: Imported
) -> None:
    manager = await login(api, "manager")
    measurer = await login(api, "measurer")
    oid = order_of(imported, "7")  # open, in `measurement`
    me = (await api.get("/api/v1/me", headers=measurer)).json()
    start = _next_weekday_10am()
    booked = await api.post(
        f"/api/v1/orders/{oid}/visits",
        headers=manager,
        json={
            "kind": "measurement",
            "assignee_id": me["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
    )
    assert booked.status_code == 201, booked.text
    deadline = asyncio.get_running_loop().time() + 60
    while (card := await api.get(f"/api/v1/orders/{oid}", headers=measurer)).status_code != 200:
        assert asyncio.get_running_loop().time() < deadline, card.text
        await asyncio.sleep(0.3)
    history = await api.get(f"/api/v1/orders/{oid}/history", headers=measurer)
    production = await login(api, "production")
    in_production = order_of(imported, "4")
    seen = [
        card.text,
        history.text,
        (await api.get(f"/api/v1/orders/{in_production}", headers=production)).text,
        (await api.get(f"/api/v1/orders/{in_production}/history", headers=production)).text,
        json.dumps(await board(api, production, q=SEARCH), ensure_ascii=False),
    ]
    for text in seen:
        for secret in FIELD_SECRETS:
            assert secret not in text, (secret, text[:300])
    assert "orders.OrderImported" not in history.text


async def test_bad_documents_are_refused_with_a_reason(
    api: httpx.AsyncClient, imported: Imported
) -> None:
    assert imported.report["created"] == 200
    admin = await login(api, "admin")
    manager = await login(api, "manager")
    bad: list[tuple[Any, str]] = [
        ({}, "deals"),
        ({"deals": "many"}, "deals"),
        ({"deals": [{"TITLE": "без ID"}]}, "ID"),
        ({"deals": [], "stage_map": {"NEW": "nowhere"}}, "nowhere"),
        ({"deals": [{"ID": "1"}, {"ID": "1"}]}, "twice"),
        ([1, 2], "object"),
    ]
    for body, says in bad:
        reply = await api.post(IMPORT, headers=admin, json=body)
        assert reply.status_code == 422, (body, reply.text)
        assert says in reply.text, (body, reply.text)
    not_json = await api.post(
        IMPORT, headers={**admin, "Content-Type": "application/json"}, content=b"{deals"
    )
    assert not_json.status_code == 422, not_json.text
    refused = await api.post(IMPORT, headers=manager, json={"deals": []})
    assert refused.status_code == 403, refused.text
    assert (await api.get("/api/v1/imports", headers=manager)).status_code == 403
    too_long = await api.post(IMPORT, headers=admin, params={"wait": "60"}, json={"deals": []})
    assert too_long.status_code == 422, too_long.text
    assert "wait" in too_long.text, too_long.text
    no_list = await api.get("/api/v1/imports", headers=admin, params={"limit": 0})
    assert no_list.status_code == 422, no_list.text
    assert (await api.get("/api/v1/imports/nope", headers=admin)).status_code == 422
    unknown = "/api/v1/imports/00000000-0000-4000-8000-000000000000"
    assert (await api.get(unknown, headers=admin)).status_code == 404
    no_stage = await api.post(
        f"{IMPORT}/csv",
        headers=admin,
        files={"file": ("deals.csv", "ID;Название сделки\n1;Шкаф\n".encode(), "text/csv")},
    )
    assert no_stage.status_code == 422, no_stage.text
    assert "Стадия сделки" in no_stage.json()["detail"]


async def test_the_csv_export_imports_through_the_same_path(
    api: httpx.AsyncClient, imported: Imported
) -> None:
    assert imported.report["created"] == 200
    admin = await login(api, "admin")
    rows = (
        "ID;Название сделки;Стадия сделки;Контакт;Мобильный телефон;Ответственный;Сумма;"
        "Комментарий;Дата создания\r\n"
        "9001;Дверь входная;Замер;Иван Csvфамилия;8 (915) 765-43-21;Менеджер;15 000,00;"
        "Позвонить вечером;05.03.2025 10:15:00\r\n"
    )
    files = {"file": ("сделки.csv", rows.encode("cp1251"), "text/csv")}
    data = {"stage_map": json.dumps({"Замер": "measurement"})}
    reply = await api.post(f"{IMPORT}/csv", headers=admin, files=files, data=data)
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert (report["created"], report["orders"][0]["stage"]) == (1, "measurement")
    again = await api.post(f"{IMPORT}/csv", headers=admin, files=files, data=data)
    assert again.json()["unchanged"] == 1


def test_the_command_line_calls_the_same_import(
    stack: Stack, imported: Imported, tmp_path: Path
) -> None:
    assert imported.report["created"] == 200
    document = tmp_path / "portal.json"
    document.write_text(json.dumps(b24.portal(), ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "OMS_URL": stack.urls["gateway"], "OMS_PASSWORD": "demo"}
    done = subprocess.run(
        [sys.executable, "-m", "services.orders.import_bitrix24", str(document), "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert (report["dry_run"], report["created"], report["unchanged"]) == (True, 0, 200)


def _next_weekday_10am() -> datetime:
    """A slot inside the demo crew's hours (Mon-Fri 09:00-18:00 Moscow), a few days ahead."""
    day = datetime.now(ZoneInfo("Europe/Moscow")) + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)

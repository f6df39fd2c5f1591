"""The Bitrix24 import over the in-memory adapters (issue 20): what a document becomes, what
is reported instead, re-runs, and all-or-nothing. The same code over PostgreSQL, the broker and
the projections: tests/e2e/test_bitrix24_import.py."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.envelope import Actor, Envelope
from contracts.events import orders as ev
from contracts.events import registry
from plumbing.ordered_log import START
from services.orders import import_bitrix24
from services.orders.adapters.import_jobs import MemoryImportJobs
from services.orders.adapters.memory_event_store import MemoryEventStore, MemoryOrderNumbers
from services.orders.adapters.pipeline_store import MemoryPipelineStore
from services.orders.application import imports
from services.orders.application.imports import Importer
from services.orders.application.pipelines import Pipelines
from services.orders.application.ports import AppendResult, IdempotencyRecord
from services.orders.application.service import OrderService
from services.orders.domain import bitrix24_csv
from services.orders.domain.bitrix24 import Person
from services.orders.domain.errors import InvalidImport
from tests import bitrix24_fixture as b24

ADMIN = Actor(
    kind="user", id="00000000-0000-0000-0000-00000000000a", username="admin", role="admin"
)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PEOPLE = [
    Person("11111111-1111-1111-1111-111111111111", "manager", "manager@oms.example", "Мария",
           "manager"),
    Person("22222222-2222-2222-2222-222222222222", "director", None, "Дмитрий", "director"),
    Person("33333333-3333-3333-3333-333333333333", "measurer", "ghost@portal.example", "З",
           "measurer"),
]  # fmt: skip


class World:
    def __init__(self) -> None:
        self.store = MemoryEventStore()
        self.jobs = MemoryImportJobs()
        self.now = NOW

    async def importer(self) -> Importer:
        pipelines = Pipelines(MemoryPipelineStore())
        await pipelines.ensure_default()
        core = OrderService(self.store, pipelines, clock=lambda: self.now)
        return Importer(core, self.store, MemoryOrderNumbers(), self.jobs, clock=lambda: self.now)

    async def run(self, document: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        importer = await self.importer()
        job, found = await importer.begin(document, PEOPLE, ADMIN, dry_run=dry_run)
        return await importer.run(job, found, ADMIN, dry_run=dry_run)

    async def events(self) -> list[Envelope]:
        return [s.envelope for s in await self.store.read_all(START, 1_000_000)]


@pytest.fixture(scope="module")
def portal() -> dict[str, Any]:
    return b24.portal()


async def test_every_deal_becomes_an_order_in_its_mapped_stage(portal: dict[str, Any]) -> None:
    world = World()
    report = await world.run(portal)
    assert (report["created"], report["updated"], report["skipped"]) == (200, 0, [])
    stages = {o["deal_id"]: o["stage"] for o in report["orders"]}
    assert stages == {str(i + 1): b24.expected_stage(i) for i in range(b24.DEALS)}
    created = [e for e in await world.events() if e.type == "orders.OrderCreated"]
    assert len(created) == 200
    first = registry.decode(created[0])
    assert isinstance(first, ev.OrderCreated)
    assert first.customer.phone == b24.e164(1)
    assert first.customer.name == "Клиент1 Фамилия1"
    assert first.customer.address.text == "Тверь, ул. Липовая, д. 1"
    assert created[0].occurred_at == datetime.fromisoformat(portal["deals"][0]["DATE_CREATE"])


async def test_stage_moves_carry_the_times_bitrix24_gave(portal: dict[str, Any]) -> None:
    world = World()
    await world.run(portal)
    history = {
        h["STAGE_ID"]: h["CREATED_TIME"] for h in portal["stage_history"] if h["OWNER_ID"] == "5"
    }
    moves = [
        e for e in await world.events()
        if e.type == "orders.StageChanged" and e.stream_id == _stream_of(await world.events(), "5")
    ]  # fmt: skip
    assert [(m.data["to_stage"], m.occurred_at) for m in moves] == [
        (b24.STAGE_MAP[s], datetime.fromisoformat(history[s])) for s in b24.FUNNEL[1:]
    ]


async def test_the_responsible_user_is_matched_by_email_or_login_else_reported(
    portal: dict[str, Any],
) -> None:
    world = World()
    report = await world.run(portal)
    managers = {
        e.data["manager_id"] for e in await world.events() if e.type == "orders.OrderCreated"
    }
    assert managers == {PEOPLE[0].id, PEOPLE[1].id, None}
    # ghost@ is a measurer here: found, but not someone who manages orders.
    assert [(u["id"], u["why"]) for u in report["unmatched_users"]] == [
        ("9", "role measurer cannot manage orders")
    ]


async def test_a_dry_run_reports_the_same_and_writes_nothing(portal: dict[str, Any]) -> None:
    world = World()
    report = await world.run(portal, dry_run=True)
    assert report["created"] == 200
    assert report["dry_run"] is True
    assert await world.events() == []


async def test_a_second_run_creates_nothing_and_updates_what_changed(
    portal: dict[str, Any],
) -> None:
    world = World()
    await world.run(portal)
    before = len(await world.events())
    again = await world.run(portal)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 200)
    assert len(await world.events()) == before

    changed = copy.deepcopy(portal)
    deal = changed["deals"][2]  # deal 3: open, in `contract`
    deal["TITLE"] = "Шкаф-купе, новый размер"
    moved_at = NOW - timedelta(days=1)
    deal["STAGE_ID"] = "EXECUTING"
    changed["stage_history"].append(
        {"ID": "99999", "TYPE_ID": "2", "OWNER_ID": "3", "CREATED_TIME": moved_at.isoformat(),
         "STAGE_SEMANTIC_ID": "P", "STAGE_ID": "EXECUTING"}
    )  # fmt: skip
    third = await world.run(changed)
    assert (third["created"], third["updated"]) == (0, 1)
    line = next(o for o in third["orders"] if o["deal_id"] == "3")
    assert (line["stage"], line["changes"]) == ("production", ["stage", "title"])
    stage_moves = [e for e in await world.events() if e.type == "orders.StageChanged"]
    assert stage_moves[-1].occurred_at == moved_at


async def test_a_failure_halfway_leaves_nothing(portal: dict[str, Any]) -> None:
    world = World()
    world.store = FailingStore(after=150)
    with pytest.raises(RuntimeError):
        await world.run(portal)
    assert await world.events() == []
    assert world.jobs.seen  # progress was shown while it ran
    job = next(iter(world.jobs.jobs.values()))
    assert job["status"] == "failed"


class SlowStore(MemoryEventStore):
    """Each deal's look-up takes a while: a long import, with no progress written while it
    plans."""

    async def find_idempotency(self, key: str) -> IdempotencyRecord | None:
        await asyncio.sleep(0.002)
        return await super().find_idempotency(key)


class Beats(MemoryImportJobs):
    def __init__(self) -> None:
        super().__init__()
        self.beaten = 0

    async def beat(self, job_id: str) -> None:
        self.beaten += 1
        await super().beat(job_id)


async def test_a_long_import_beats_while_it_plans_and_stops_when_it_ends(
    portal: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that stops beating is read as interrupted (tests/integration/test_import_jobs.py):
    a live one, even in a planning phase that writes no progress, keeps beating."""
    monkeypatch.setattr(imports, "BEAT_S", 0.05)
    world = World()
    world.store = SlowStore()
    world.jobs = jobs = Beats()
    report = await world.run(portal, dry_run=True)
    assert report["created"] == 200
    assert jobs.beaten >= 2, "the planning phase wrote no sign of life"
    assert jobs.seen == []  # a dry run writes no progress: the beats alone said it was alive
    after = jobs.beaten
    await asyncio.sleep(0.2)
    assert jobs.beaten == after  # the beat ended with the import


async def test_what_cannot_come_is_skipped_and_said_why() -> None:
    world = World()
    document = b24.portal()
    document["deals"] = document["deals"][:4]
    document["contacts"][0]["PHONE"] = [{"VALUE": "12-34", "VALUE_TYPE": "WORK"}]
    document["deals"][1]["CONTACT_ID"] = "0"
    document["deals"][2]["STAGE_ID"] = "C3:ODD"
    document["stage_map"].pop("FINAL_INVOICE")
    report = await world.run(document)
    assert {(s["id"], s["why"]) for s in report["skipped"]} == {
        ("1", "phone_unparseable"),
        ("2", "no_contact"),
        ("3", "unmapped_stage"),
    }
    assert report["unmapped_stages"] == ["C3:ODD"]
    assert report["unparseable_phones"] == [{"deal_id": "1", "contact_id": "1", "value": "12-34"}]
    assert report["created"] == 1


async def test_a_stage_map_to_an_unknown_stage_is_refused_whole() -> None:
    document = b24.portal()
    document["stage_map"]["NEW"] = "nowhere"
    with pytest.raises(InvalidImport, match="nowhere"):
        await World().run(document)


async def test_the_csv_export_takes_the_same_path() -> None:
    rows = [
        "ID;Название сделки;Стадия сделки;Контакт;Мобильный телефон;Ответственный;Сумма;Валюта;"
        "Комментарий;Дата создания;Дата изменения",
        "501;Дверь входная;Замер;Иван Петров;8 (915) 765-43-21;Мария;125 000,50;RUB;"
        "Позвонить вечером;05.03.2025 10:15:00;07.03.2025 12:00:00",
        "502;Кухня;Новая;;;Мария;;RUB;;06.03.2025;06.03.2025",
    ]
    stage_map = {"Новая": "intake", "Замер": "measurement"}
    for encoding in ("utf-8-sig", "utf-8", "cp1251"):
        raw = "\r\n".join(rows).encode(encoding)
        world = World()
        report = await world.run(bitrix24_csv.document(raw, stage_map))
        assert report["created"] == 1, encoding
        assert report["skipped"] == [
            {"id": "502", "why": "no_contact", "detail": "the deal has no contact (CONTACT_ID)"}
        ]
        events = await world.events()
        created = registry.decode(events[0])
        assert isinstance(created, ev.OrderCreated)
        assert (created.customer.phone, created.manager_id) == ("+79157654321", PEOPLE[0].id)
        assert events[0].occurred_at.isoformat() == "2025-03-05T10:15:00+03:00"
        deal = next(registry.decode(e) for e in events if e.type == "orders.DealTermsRecorded")
        assert isinstance(deal, ev.DealTermsRecorded)
        assert str(deal.amount) == "125000.50"


def test_a_csv_without_the_stage_column_is_refused() -> None:
    with pytest.raises(ValueError, match="Стадия сделки"):
        bitrix24_csv.document("ID;Название сделки\n1;Шкаф\n".encode(), {})


def _stream_of(events: list[Envelope], deal_id: str) -> str:
    ref = f"bitrix24:deal:{deal_id}"
    return next(
        e.stream_id
        for e in events
        if e.type == "orders.OrderImported" and e.data["external_ref"] == ref
    )


class FailingStore(MemoryEventStore):
    """Fails the import's Nth append: a fault after half the orders were written."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[MemoryEventStore]:
        async with super().atomically() as tx:
            yield _Failing(tx, self.after)  # type: ignore[misc]


class _Failing:
    def __init__(self, inner: MemoryEventStore, after: int) -> None:
        self.inner = inner
        self.left = after

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int | None,
        idempotency: IdempotencyRecord | None = None,
    ) -> AppendResult:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("the database went away")
        return await self.inner.append(stream_id, events, expected_version, idempotency)


def test_the_command_line_splits_a_large_document_into_whole_parts() -> None:
    portal = b24.portal()
    parts = list(import_bitrix24.split(portal, 64))
    assert [len(p["deals"]) for p in parts] == [64, 64, 64, 8]
    for part in parts:
        ids = {d["ID"] for d in part["deals"]}
        contacts = {d["CONTACT_ID"] for d in part["deals"]}
        assert {c["ID"] for c in part["contacts"]} == contacts
        assert {h["OWNER_ID"] for h in part["stage_history"]} == ids
        assert (part["users"], part["stage_map"]) == (portal["users"], portal["stage_map"])
    sizes = [
        len(json.dumps(p, ensure_ascii=False).encode()) for p in import_bitrix24.split(portal, 300)
    ]
    assert max(sizes) < 1024 * 1024

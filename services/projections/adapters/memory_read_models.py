"""The read models in memory (the ReadModels port): a rebuild folds the whole log into these
rows, then writes each table once with COPY into the fresh schema.

Each method keeps the rule of the SQL it stands for (adapters/*_store.py, named in each
docstring): the same contract suite runs against both adapters
(tests/integration/test_read_models_contract.py), and a rebuild is compared with the live
read models by checksum. Two tables are not folded here but summed up by the live SQL itself
after the load, for every key the events touched: customers (customers_store.summed) and
card_summaries (board_store.refresh_summaries). Both are recomputed from other tables at
each event, so the value after the last event is the sum over the final rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

from contracts.api.phones import phone_digits
from contracts.events.orders import MediaAttached
from contracts.events.scheduling import (
    OrderOverdue,
    TaskCreated,
    VisitBooked,
    VisitCheckedIn,
    VisitCheckedOut,
    VisitRescheduled,
)
from contracts.pipeline import PipelineDefinition
from plumbing.db import Conn
from services.projections.adapters import (
    board_store,
    customers_store,
    generations,
    pipeline_store,
)
from services.projections.domain.board import NewCard, search_text

CARD_COLUMNS = (
    "order_id",
    "number",
    "title",
    "customer_name",
    "phone",
    "address",
    "address_json",
    "stage",
    "stage_entered_at",
    "manager_id",
    "version",
    "search",
    "created_at",
    "amount",
    "pipeline_version",
    "promised_date",
    "phone_digits",
)
USER_COLUMNS = ("user_id", "username", "display_name", "role", "active")
ACCESS_COLUMNS = ("order_id", "user_id", "via", "since")
VISIT_COLUMNS = (
    "visit_id",
    "order_id",
    "task_id",
    "kind",
    "assignee_id",
    "starts_at",
    "ends_at",
    "status",
)
ON_SITE_COLUMNS = ("visit_id", "assignee_id", "checked_in_at", "checked_out_at")
TASK_COLUMNS = (
    "task_id",
    "order_id",
    "visit_id",
    "kind",
    "title",
    "assignee_id",
    "assignee_role",
    "due_at",
    "status",
    "created_at",
    "closed_at",
)
MEDIA_COLUMNS = ("media_id", "order_id", "kind", "purpose")
OVERDUE_COLUMNS = ("order_id", "stage", "entered_at", "limit_hours", "alerted_at")
INTERVAL_COLUMNS = ("order_id", "entered_version", "stage", "entered_at", "left_at")


def _jsonb_encode(value: Any) -> bytes:
    return b"\x01" + json.dumps(value).encode()


def _jsonb_decode(data: bytes) -> Any:
    return json.loads(data[1:])


def _rows(items: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return list(map(itemgetter(*columns), items))


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class MemoryReadModels:
    def __init__(self) -> None:
        self.cards: dict[UUID, dict[str, Any]] = {}
        self.users: dict[UUID, list[Any]] = {}
        self.access: dict[tuple[UUID, UUID], list[Any]] = {}
        self.visits: dict[UUID, dict[str, Any]] = {}
        self.on_site: dict[UUID, dict[str, Any]] = {}
        self.tasks: dict[UUID, dict[str, Any]] = {}
        self.media: dict[UUID, tuple[UUID, str, str]] = {}
        self.overdue: dict[tuple[UUID, str, datetime], tuple[float, datetime]] = {}
        # order -> entered_version -> [stage, entered_at, left_at]
        self.intervals: dict[UUID, dict[int, list[Any]]] = {}
        self.stages: dict[tuple[int, str], tuple[Any, ...]] = {}
        # Keys whose derived rows the live path recomputed: summed up again after the load.
        self.numbers: set[str] = set()
        self.summaries: set[UUID] = set()
        self._ids: dict[str, UUID] = {}  # order ids as the events spell them: parsed once

    def _card(self, order_id: str) -> UUID:
        key = self._ids.get(order_id)
        if key is None:
            key = self._ids[order_id] = UUID(order_id)
        return key

    # --- board_cards and users (board_store) ---------------------------------------------

    async def insert_card(self, card: NewCard) -> None:
        """INSERT ... ON CONFLICT (order_id) DO NOTHING; created_at is the stage's entry."""
        key = self._card(card.order_id)
        if key in self.cards:
            return
        self.cards[key] = {
            "order_id": key,
            "number": card.number,
            "title": card.title,
            "customer_name": card.customer_name,
            "phone": card.phone,
            "address": card.address,
            "address_json": card.address_json,
            "stage": card.stage,
            "stage_entered_at": card.stage_entered_at,
            "manager_id": card.manager_id,
            "version": card.version,
            "search": card.search,
            "created_at": card.stage_entered_at,
            "amount": None,
            "pipeline_version": card.pipeline_version,
            "promised_date": None,
            "phone_digits": phone_digits(card.phone),
        }

    async def touch(self, order_id: str, version: int, **changes: Any) -> None:
        """UPDATE ... WHERE order_id = $1 AND version < $2: only a newer event moves a card."""
        row = self.cards.get(self._card(order_id))
        if row is None or row["version"] >= version:
            return
        row["version"] = version
        row.update(changes)

    async def customer_changed(
        self,
        order_id: str,
        version: int,
        name: str,
        phone: str,
        address: str,
        address_json: dict[str, Any],
    ) -> None:
        row = self.cards.get(self._card(order_id))
        if row is None:
            return  # the card appears with OrderCreated, which carries the current customer
        await self.touch(
            order_id,
            version,
            customer_name=name,
            phone=phone,
            address=address,
            address_json=address_json,
            phone_digits=phone_digits(phone),
            search=search_text(row["number"], row["title"], name, phone, address),
        )

    async def title_changed(self, order_id: str, version: int, title: str) -> None:
        row = self.cards.get(self._card(order_id))
        if row is None:
            return
        search = search_text(
            row["number"], title, row["customer_name"], row["phone"], row["address"]
        )
        await self.touch(order_id, version, title=title, search=search)

    async def upsert_user(self, data: dict[str, Any]) -> None:
        """INSERT ... ON CONFLICT (user_id) DO UPDATE every column."""
        key = _uuid(data["user_id"])
        self.users[key] = [
            key,
            data["username"],
            data["display_name"],
            data["role"],
            data.get("active", True),
        ]

    # --- derived: customers and card_summaries --------------------------------------------

    async def digits_of(self, order_id: str) -> str | None:
        row = self.cards.get(self._card(order_id))
        return None if row is None else row["phone_digits"]

    async def refresh_customer(self, digits: str) -> None:
        if digits:
            self.numbers.add(digits)

    async def refresh_summary(self, order_id: UUID | None) -> None:
        if order_id is not None:
            self.summaries.add(_uuid(order_id))

    # --- work (work_store, access_store) ---------------------------------------------------

    async def enter_stage(self, order_id: UUID, stage: str, at: datetime, version: int) -> None:
        """Close the interval before `version` at `at` (even if closed), then open one at
        `version` unless there is one, ending where the next known interval starts."""
        known = self.intervals.setdefault(_uuid(order_id), {})
        before = [v for v in known if v < version]
        if before:
            known[max(before)][2] = at
        if version not in known:
            after = [v for v in known if v > version]
            known[version] = [stage, at, known[min(after)][1] if after else None]

    async def attach_media(self, event: MediaAttached) -> None:
        """INSERT ... ON CONFLICT (media_id) DO NOTHING."""
        self.media.setdefault(event.media_id, (event.order_id, event.kind, event.purpose))

    async def detach_media(self, media_id: UUID) -> None:
        self.media.pop(media_id, None)

    async def media_purpose(self, media_id: UUID) -> str | None:
        found = self.media.get(media_id)
        return None if found is None else found[2]

    async def upsert_task(self, event: TaskCreated, at: datetime) -> None:
        """A completion seen first keeps its status (and order, kind, closed_at); creation
        fills in every other column."""
        changes = {
            "visit_id": event.visit_id,
            "title": event.title,
            "assignee_id": event.assignee_id,
            "assignee_role": event.assignee_role,
            "due_at": event.due_at,
            "created_at": at,
        }
        first = {
            "task_id": event.task_id,
            "order_id": event.order_id,
            "kind": event.kind,
            "status": "open",
            "closed_at": None,
        }
        _upsert(self.tasks, event.task_id, first, changes)

    async def close_task(
        self, task_id: UUID, order_id: UUID | None, kind: str, status: str, at: datetime
    ) -> None:
        row = self.tasks.get(task_id)
        if row is not None:
            row["status"], row["closed_at"] = status, at
            return
        self.tasks[task_id] = {
            "task_id": task_id,
            "order_id": order_id,
            "visit_id": None,
            "kind": kind,
            "title": "",
            "assignee_id": None,
            "assignee_role": None,
            "due_at": None,
            "status": status,
            "created_at": None,
            "closed_at": at,
        }

    async def upsert_visit(self, event: VisitBooked | VisitRescheduled) -> None:
        """Insert booked, or set assignee, times and task and book it again (order and kind
        stay as first seen)."""
        changes = {
            "task_id": event.task_id,
            "assignee_id": event.assignee_id,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "status": "booked",
        }
        first = {"visit_id": event.visit_id, "order_id": event.order_id, "kind": event.kind}
        _upsert(self.visits, event.visit_id, first, changes)

    async def cancel_visit(self, visit_id: UUID) -> None:
        row = self.visits.get(visit_id)
        if row is not None:
            row["status"] = "cancelled"

    async def record_on_site(self, event: VisitCheckedIn | VisitCheckedOut) -> None:
        column = "checked_in_at" if isinstance(event, VisitCheckedIn) else "checked_out_at"
        row = self.on_site.get(event.visit_id)
        if row is None:
            row = self.on_site[event.visit_id] = {
                "visit_id": event.visit_id,
                "assignee_id": event.assignee_id,
                "checked_in_at": None,
                "checked_out_at": None,
            }
        row[column] = event.at

    async def record_overdue(self, event: OrderOverdue, at: datetime) -> None:
        key = (event.order_id, event.stage, event.entered_at)
        self.overdue.setdefault(key, (event.limit_hours, at))

    async def grant(self, order_id: UUID, user_id: UUID, via: str, at: datetime) -> None:
        """The earliest grant wins; at the same instant the least `via`."""
        held = self.access.get((order_id, user_id))
        if held is None:
            self.access[(order_id, user_id)] = [via, at]
        elif at < held[1]:
            held[0], held[1] = via, at
        elif at == held[1]:
            held[0] = min(held[0], via)

    async def record_pipeline(self, version: int, definition: PipelineDefinition) -> None:
        for row in pipeline_store.stage_rows(version, definition):
            self.stages.setdefault((row[0], row[2]), row)

    async def record_change(
        self, order_id: UUID, type_: str, stage: str | None, at: datetime, purpose: str | None
    ) -> None:
        raise NotImplementedError("the realtime feed is carried over by the swap, not replayed")

    # --- the load ---------------------------------------------------------------------------

    # The tables copy_into writes, and derive. stage_counts is neither: board_cards' trigger
    # counts the cards as their COPY writes them (tables.STAGE_COUNTS_DDL).
    FOLDED = (
        "board_cards",
        "users",
        "order_access",
        "order_visits",
        "visit_on_site",
        "order_tasks",
        "order_media",
        "order_overdue",
        "stage_intervals",
        "pipeline_stages",
    )
    DERIVED = ("card_summaries", "customers")

    def tables(self) -> dict[str, tuple[tuple[str, ...], Iterable[tuple[Any, ...]]]]:
        """Each folded table's columns and rows, as COPY takes them (FOLDED, in that order)."""
        rows = _rows
        return {
            "board_cards": (CARD_COLUMNS, rows(self.cards.values(), CARD_COLUMNS)),
            "users": (USER_COLUMNS, [tuple(u) for u in self.users.values()]),
            "order_access": (
                ACCESS_COLUMNS,
                [(o, u, via, since) for (o, u), (via, since) in self.access.items()],
            ),
            "order_visits": (VISIT_COLUMNS, rows(self.visits.values(), VISIT_COLUMNS)),
            "visit_on_site": (ON_SITE_COLUMNS, rows(self.on_site.values(), ON_SITE_COLUMNS)),
            "order_tasks": (TASK_COLUMNS, rows(self.tasks.values(), TASK_COLUMNS)),
            "order_media": (MEDIA_COLUMNS, [(m, *rest) for m, rest in self.media.items()]),
            "order_overdue": (
                OVERDUE_COLUMNS,
                [(o, s, e, limit, at) for (o, s, e), (limit, at) in self.overdue.items()],
            ),
            "stage_intervals": (
                INTERVAL_COLUMNS,
                [
                    (order, version, *interval)
                    for order, known in self.intervals.items()
                    for version, interval in known.items()
                ],
            ),
            "pipeline_stages": (pipeline_store.STAGE_COLUMNS, list(self.stages.values())),
        }

    async def copy_into(self, conn: Conn) -> None:
        """Each folded table, with COPY, into the (empty) tables of the connection's schema.
        COPY speaks the binary format: jsonb's is a version byte and the text, so the
        connection gets that codec (the same JSON both ways as the pool's text one)."""
        await conn.set_type_codec(
            "jsonb",
            encoder=_jsonb_encode,
            decoder=_jsonb_decode,
            schema="pg_catalog",
            format="binary",
        )
        schema = await conn.fetchval("SELECT current_schema()")
        for table, (columns, records) in self.tables().items():
            await conn.copy_records_to_table(
                table, records=records, columns=list(columns), schema_name=schema
            )

    async def derive(self, conn: Conn) -> None:
        """customers and card_summaries, by the live SQL, for every key the events touched
        (after copy_into, with the folded tables' indexes in place: both look rows up by
        order and number). The directory's own indexes are built after its rows are in."""
        await board_store.refresh_summaries(conn, sorted(self.summaries))
        customers = await customers_store.summed(conn, sorted(self.numbers))
        again = await generations.drop_indexes(conn, ["customers"])
        await conn.copy_records_to_table(
            "customers",
            records=customers,
            columns=list(customers_store.CUSTOMER_COLUMNS),
            schema_name=await conn.fetchval("SELECT current_schema()"),
        )
        for statement in again:
            await conn.execute(statement)


def _upsert(
    rows: dict[Any, dict[str, Any]], key: Any, first: dict[str, Any], changes: dict[str, Any]
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE SET `changes`: `first` only when the row is new."""
    row = rows.get(key)
    if row is None:
        rows[key] = {**first, **changes}
    else:
        row.update(changes)

"""The read models in PostgreSQL (the ReadModels port), inside the caller's transaction: the
live consumer's writes, one event at a time. Each method is a store function's SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

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
    access_store,
    board_store,
    customers_store,
    pipeline_store,
    work_store,
)
from services.projections.domain.board import NewCard


class PostgresReadModels:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def insert_card(self, card: NewCard) -> None:
        await board_store.insert_card(self.conn, card)

    async def touch(self, order_id: str, version: int, **changes: Any) -> None:
        await board_store.touch(self.conn, order_id, version, **changes)

    async def customer_changed(
        self,
        order_id: str,
        version: int,
        name: str,
        phone: str,
        address: str,
        address_json: dict[str, Any],
    ) -> None:
        await board_store.customer_changed(
            self.conn, order_id, version, name, phone, address, address_json
        )

    async def title_changed(self, order_id: str, version: int, title: str) -> None:
        await board_store.title_changed(self.conn, order_id, version, title)

    async def upsert_user(self, data: dict[str, Any]) -> None:
        await board_store.upsert_user(self.conn, data)

    async def digits_of(self, order_id: str) -> str | None:
        return await customers_store.digits_of(self.conn, order_id)

    async def refresh_customer(self, digits: str) -> None:
        await customers_store.refresh(self.conn, digits)

    async def refresh_summary(self, order_id: UUID | None) -> None:
        await board_store.refresh_summary(self.conn, order_id)

    async def enter_stage(self, order_id: UUID, stage: str, at: datetime, version: int) -> None:
        await work_store.enter_stage(self.conn, order_id, stage, at, version)

    async def attach_media(self, event: MediaAttached) -> None:
        await work_store.attach_media(self.conn, event)

    async def detach_media(self, media_id: UUID) -> None:
        await work_store.detach_media(self.conn, media_id)

    async def media_purpose(self, media_id: UUID) -> str | None:
        return await work_store.media_purpose(self.conn, media_id)

    async def upsert_task(self, event: TaskCreated, at: datetime) -> None:
        await work_store.upsert_task(self.conn, event, at)

    async def close_task(
        self, task_id: UUID, order_id: UUID | None, kind: str, status: str, at: datetime
    ) -> None:
        await work_store.close_task(self.conn, task_id, order_id, kind, status, at)

    async def upsert_visit(self, event: VisitBooked | VisitRescheduled) -> None:
        await work_store.upsert_visit(self.conn, event)

    async def cancel_visit(self, visit_id: UUID) -> None:
        await work_store.cancel_visit(self.conn, visit_id)

    async def record_on_site(self, event: VisitCheckedIn | VisitCheckedOut) -> None:
        await work_store.record_on_site(self.conn, event)

    async def record_overdue(self, event: OrderOverdue, at: datetime) -> None:
        await work_store.record_overdue(self.conn, event, at)

    async def grant(self, order_id: UUID, user_id: UUID, via: str, at: datetime) -> None:
        await access_store.grant(self.conn, order_id, user_id, via, at)

    async def record_pipeline(self, version: int, definition: PipelineDefinition) -> None:
        await pipeline_store.record(self.conn, version, definition)

    async def record_change(
        self, order_id: UUID, type_: str, stage: str | None, at: datetime, purpose: str | None
    ) -> None:
        await work_store.record_change(self.conn, order_id, type_, stage, at, purpose)

"""The read models as the projector writes them: one port, two adapters.

`project` (apply.py) decides which rows each event changes, once, against this port. The live
consumer and the rebuild's catch-up use PostgresReadModels (the SQL of adapters/*_store.py,
inside the consumer's transaction); the rebuild's bulk load folds the whole log into
MemoryReadModels (adapters/memory_read_models.py) and writes each table once with COPY. The
memory adapter passes the same contract suite as the Postgres one
(tests/integration/test_read_models_contract.py), and a rebuild must equal the live read
models by checksum (CHECKSUM_QUERIES).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
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
from services.projections.domain.board import NewCard


class ReadModels(Protocol):
    # board_cards and users
    async def insert_card(self, card: NewCard) -> None: ...
    async def touch(self, order_id: str, version: int, **changes: Any) -> None: ...
    async def customer_changed(
        self,
        order_id: str,
        version: int,
        name: str,
        phone: str,
        address: str,
        address_json: dict[str, Any],
    ) -> None: ...
    async def title_changed(self, order_id: str, version: int, title: str) -> None: ...
    async def upsert_user(self, data: dict[str, Any]) -> None: ...

    # customers (summed up from the cards of one number) and card_summaries (counted from
    # the order's tasks and media)
    async def digits_of(self, order_id: str) -> str | None: ...
    async def refresh_customer(self, digits: str) -> None: ...
    async def refresh_summary(self, order_id: UUID | None) -> None: ...

    # work: stage intervals, media, tasks, visits, time on site, overdue alerts, access
    async def enter_stage(self, order_id: UUID, stage: str, at: datetime, version: int) -> None: ...
    async def attach_media(self, event: MediaAttached) -> None: ...
    async def detach_media(self, media_id: UUID) -> None: ...
    async def media_purpose(self, media_id: UUID) -> str | None: ...
    async def upsert_task(self, event: TaskCreated, at: datetime) -> None: ...
    async def close_task(
        self, task_id: UUID, order_id: UUID | None, kind: str, status: str, at: datetime
    ) -> None: ...
    async def upsert_visit(self, event: VisitBooked | VisitRescheduled) -> None: ...
    async def cancel_visit(self, visit_id: UUID) -> None: ...
    async def record_on_site(self, event: VisitCheckedIn | VisitCheckedOut) -> None: ...
    async def record_overdue(self, event: OrderOverdue, at: datetime) -> None: ...
    async def grant(self, order_id: UUID, user_id: UUID, via: str, at: datetime) -> None: ...

    # pipeline versions
    async def record_pipeline(self, version: int, definition: PipelineDefinition) -> None: ...

    # the realtime feed (live only: a rebuild carries the feed over instead of replaying it)
    async def record_change(
        self, order_id: UUID, type_: str, stage: str | None, at: datetime, purpose: str | None
    ) -> None: ...

"""What notifications needs to know about orders and visits, kept from their events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.pipeline import PipelineDefinition
from plumbing.db import Conn
from services.notifications.domain.messages import StageTitle

FACTS_DDL = """
CREATE TABLE IF NOT EXISTS known_orders (
    order_id   uuid PRIMARY KEY,
    number     int NOT NULL,
    manager_id uuid
);
CREATE TABLE IF NOT EXISTS reminders (
    visit_id   uuid NOT NULL,
    kind       text NOT NULL,
    user_id    uuid NOT NULL,
    order_id   uuid NOT NULL,
    visit_kind text NOT NULL,
    starts_at  timestamptz NOT NULL,
    due_at     timestamptz NOT NULL,
    sent_at    timestamptz,
    PRIMARY KEY (visit_id, kind)
);
CREATE INDEX IF NOT EXISTS reminders_due_idx ON reminders (due_at) WHERE sent_at IS NULL;
"""


# Appended step: each order's pipeline version, and the versions' stage titles. An order
# remembered before this step has no version (NULL): its titles come from the newest version.
PIPELINES_DDL = """
ALTER TABLE known_orders ADD COLUMN IF NOT EXISTS pipeline_version int;
CREATE TABLE IF NOT EXISTS pipeline_stages (
    version  int NOT NULL,
    key      text NOT NULL,
    title_ru text NOT NULL,
    title_en text NOT NULL,
    PRIMARY KEY (version, key)
);
"""


@dataclass(frozen=True)
class KnownOrder:
    number: int
    manager_id: UUID | None


async def remember_order(
    conn: Conn, order_id: UUID, number: int, manager: str | None, pipeline_version: int
) -> None:
    await conn.execute(
        "INSERT INTO known_orders (order_id, number, manager_id, pipeline_version) "
        "VALUES ($1, $2, $3::uuid, $4) ON CONFLICT (order_id) DO NOTHING",
        order_id,
        number,
        manager,
        pipeline_version,
    )


async def remember_pipeline(conn: Conn, version: int, definition: PipelineDefinition) -> None:
    """A version never changes once published: a second delivery adds nothing."""
    await conn.executemany(
        "INSERT INTO pipeline_stages (version, key, title_ru, title_en) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (version, key) DO NOTHING",
        [(version, s.key, s.title_ru, s.title_en) for s in definition.stages],
    )


async def stage_title(conn: Conn, order_id: UUID, key: str) -> StageTitle | None:
    """The stage's titles in the order's pipeline version. A version arrives on a partition
    of its own, so it may not be here yet (or the order predates versions here): then the
    newest version that has the stage names it; None if none does (the key is shown)."""
    row = await conn.fetchrow(
        "SELECT s.title_ru, s.title_en FROM pipeline_stages s "
        "LEFT JOIN known_orders o ON o.order_id = $1 "
        "WHERE s.key = $2 "
        "ORDER BY s.version IS NOT DISTINCT FROM o.pipeline_version DESC, s.version DESC LIMIT 1",
        order_id,
        key,
    )
    return None if row is None else StageTitle(row["title_ru"], row["title_en"])


async def set_manager(conn: Conn, order_id: UUID, manager_id: str) -> None:
    await conn.execute(
        "UPDATE known_orders SET manager_id = $2::uuid WHERE order_id = $1", order_id, manager_id
    )


async def order(conn: Conn, order_id: UUID | None) -> KnownOrder | None:
    if order_id is None:
        return None
    row = await conn.fetchrow(
        "SELECT number, manager_id FROM known_orders WHERE order_id = $1", order_id
    )
    return None if row is None else KnownOrder(row["number"], row["manager_id"])


async def replace_reminders(
    conn: Conn,
    visit_id: UUID,
    user_id: UUID,
    order_id: UUID,
    visit_kind: str,
    starts_at: datetime,
    due: list[tuple[str, datetime]],
) -> None:
    """A moved visit's reminders move with it; already sent ones stay as history."""
    await conn.execute("DELETE FROM reminders WHERE visit_id = $1 AND sent_at IS NULL", visit_id)
    for kind, due_at in due:
        await conn.execute(
            "INSERT INTO reminders (visit_id, kind, user_id, order_id, visit_kind, starts_at, "
            "due_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (visit_id, kind) DO UPDATE "
            "SET user_id = $3, starts_at = $6, due_at = $7, sent_at = NULL",
            visit_id,
            kind,
            user_id,
            order_id,
            visit_kind,
            starts_at,
            due_at,
        )


async def drop_reminders(conn: Conn, visit_id: UUID) -> None:
    """A cancelled visit's reminders vanish (unlike a certain CRM's robots)."""
    await conn.execute("DELETE FROM reminders WHERE visit_id = $1 AND sent_at IS NULL", visit_id)

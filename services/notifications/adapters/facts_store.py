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
    creator_id: UUID | None = None


async def remember_order(
    conn: Conn,
    order_id: UUID,
    number: int,
    manager: str | None,
    pipeline_version: int,
    creator: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO known_orders (order_id, number, manager_id, pipeline_version, creator_id) "
        "VALUES ($1, $2, $3::uuid, $4, $5::uuid) ON CONFLICT (order_id) DO NOTHING",
        order_id,
        number,
        manager,
        pipeline_version,
        creator,
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
        "SELECT number, manager_id, creator_id FROM known_orders WHERE order_id = $1", order_id
    )
    return None if row is None else KnownOrder(row["number"], row["manager_id"], row["creator_id"])


async def replace_reminders(
    conn: Conn,
    visit_id: UUID,
    user_id: UUID,
    order_id: UUID,
    visit_kind: str,
    starts_at: datetime,
    due: list[tuple[str, datetime]],
    timezone: str | None = None,
) -> None:
    """A moved visit's reminders move with it; already sent ones stay as history."""
    await conn.execute("DELETE FROM reminders WHERE visit_id = $1 AND sent_at IS NULL", visit_id)
    for kind, due_at in due:
        await conn.execute(
            "INSERT INTO reminders (visit_id, kind, user_id, order_id, visit_kind, starts_at, "
            "due_at, timezone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (visit_id, kind) DO UPDATE "
            "SET user_id = $3, starts_at = $6, due_at = $7, sent_at = NULL, timezone = $8",
            visit_id,
            kind,
            user_id,
            order_id,
            visit_kind,
            starts_at,
            due_at,
            timezone,
        )


async def drop_reminders(conn: Conn, visit_id: UUID) -> None:
    """A cancelled visit's reminders vanish (unlike a certain CRM's robots)."""
    await conn.execute("DELETE FROM reminders WHERE visit_id = $1 AND sent_at IS NULL", visit_id)


@dataclass(frozen=True)
class KnownVisit:
    assignee_id: UUID
    kind: str
    starts_at: datetime
    timezone: str | None


async def remember_visit(conn: Conn, visit_id: UUID, v: KnownVisit) -> None:
    await conn.execute(
        "INSERT INTO known_visits (visit_id, assignee_id, kind, starts_at, timezone) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (visit_id) DO UPDATE "
        "SET assignee_id = $2, kind = $3, starts_at = $4, timezone = $5",
        visit_id,
        v.assignee_id,
        v.kind,
        v.starts_at,
        v.timezone,
    )


async def visit(conn: Conn, visit_id: UUID) -> KnownVisit | None:
    row = await conn.fetchrow(
        "SELECT assignee_id, kind, starts_at, timezone FROM known_visits WHERE visit_id = $1",
        visit_id,
    )
    return (
        None
        if row is None
        else KnownVisit(row["assignee_id"], row["kind"], row["starts_at"], row["timezone"])
    )


async def forget_visit(conn: Conn, visit_id: UUID) -> None:
    await conn.execute("DELETE FROM known_visits WHERE visit_id = $1", visit_id)


async def remember_task(
    conn: Conn, task_id: UUID, order_id: UUID | None, title: str, due_at: datetime | None
) -> None:
    await conn.execute(
        "INSERT INTO known_tasks (task_id, order_id, title, due_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (task_id) DO NOTHING",
        task_id,
        order_id,
        title,
        due_at,
    )


async def close_task(conn: Conn, task_id: UUID) -> str | None:
    """The task's title (None if it was never seen here); it no longer counts as overdue."""
    title: str | None = await conn.fetchval(
        "UPDATE known_tasks SET open = false WHERE task_id = $1 RETURNING title", task_id
    )
    return title


async def mark_overdue(conn: Conn, order_id: UUID, stage: str) -> None:
    await conn.execute(
        "INSERT INTO overdue_orders (order_id, stage) VALUES ($1, $2) "
        "ON CONFLICT (order_id) DO UPDATE SET stage = $2",
        order_id,
        stage,
    )


async def clear_overdue(conn: Conn, order_id: UUID) -> None:
    """The order left the stage it was overdue in."""
    await conn.execute("DELETE FROM overdue_orders WHERE order_id = $1", order_id)


async def overdue_numbers(conn: Conn) -> list[int]:
    rows = await conn.fetch(
        "SELECT o.number FROM overdue_orders d JOIN known_orders o USING (order_id) "
        "ORDER BY o.number"
    )
    return [r["number"] for r in rows]


async def overdue_tasks(conn: Conn, now: datetime) -> list[str]:
    rows = await conn.fetch(
        "SELECT title FROM known_tasks WHERE open AND due_at < $1 ORDER BY due_at", now
    )
    return [r["title"] for r in rows]

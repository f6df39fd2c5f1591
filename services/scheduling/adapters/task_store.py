"""Tasks in PostgreSQL: created by people (with visits) or by robots, completed by people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from plumbing.db import Conn
from services.scheduling.domain.access import Viewer


@dataclass(frozen=True)
class Task:
    id: UUID
    order_id: UUID | None
    visit_id: UUID | None
    kind: str
    title: str
    status: str
    assignee_id: UUID | None
    assignee_role: str | None
    due_at: datetime | None
    visit_kind: str | None
    rule_id: str | None
    cause_event_id: UUID | None
    created_at: datetime
    completed_at: datetime | None
    completed_by: UUID | None
    note: str | None
    results: dict[str, Any] | None

    @classmethod
    def new(
        cls,
        *,
        id: UUID,
        kind: str,
        title: str,
        created_at: datetime,
        order_id: UUID | None = None,
        visit_id: UUID | None = None,
        assignee_id: UUID | None = None,
        assignee_role: str | None = None,
        due_at: datetime | None = None,
        visit_kind: str | None = None,
        rule_id: str | None = None,
        cause_event_id: UUID | None = None,
    ) -> Task:
        """An open task, not yet done by anyone: the one way tasks come to be."""
        return cls(
            id=id,
            order_id=order_id,
            visit_id=visit_id,
            kind=kind,
            title=title,
            status="open",
            assignee_id=assignee_id,
            assignee_role=assignee_role,
            due_at=due_at,
            visit_kind=visit_kind,
            rule_id=rule_id,
            cause_event_id=cause_event_id,
            created_at=created_at,
            completed_at=None,
            completed_by=None,
            note=None,
            results=None,
        )


_COLUMNS = (
    "id, order_id, visit_id, kind, title, status, assignee_id, assignee_role, due_at, "
    "visit_kind, rule_id, cause_event_id, created_at, completed_at, completed_by, note, results"
)


def _task(row: asyncpg.Record) -> Task:
    return Task(**dict(row))


async def insert(conn: Conn, t: Task) -> bool:
    """False when a task with this id exists: robot task ids are deterministic."""
    inserted = await conn.fetchval(
        "INSERT INTO tasks (id, order_id, visit_id, kind, title, assignee_id, assignee_role, "
        "due_at, visit_kind, rule_id, cause_event_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
        "ON CONFLICT (id) DO NOTHING RETURNING true",
        t.id,
        t.order_id,
        t.visit_id,
        t.kind,
        t.title,
        t.assignee_id,
        t.assignee_role,
        t.due_at,
        t.visit_kind,
        t.rule_id,
        t.cause_event_id,
        t.created_at,
    )
    return bool(inserted)


async def get(conn: Conn, task_id: UUID, *, lock: bool = False) -> Task | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM tasks WHERE id = $1{suffix}", task_id)
    return _task(row) if row else None


async def adoptable(conn: Conn, order_id: UUID, kind: str) -> Task | None:
    """The open robot-created task of this visit kind not yet tied to a visit, locked.

    FOR UPDATE: two bookings on one order at once must not adopt the same task; the second
    waits, re-checks `visit_id IS NULL` on the committed row, and creates its own task.
    """
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM tasks WHERE order_id = $1 AND kind = $2 AND status = 'open' "
        "AND visit_id IS NULL AND rule_id IS NOT NULL ORDER BY created_at LIMIT 1 FOR UPDATE",
        order_id,
        kind,
    )
    return _task(row) if row else None


async def attach(conn: Conn, task_id: UUID, visit_id: UUID | None, assignee_id: UUID) -> None:
    await conn.execute(
        "UPDATE tasks SET visit_id = coalesce($2, visit_id), assignee_id = $3 WHERE id = $1",
        task_id,
        visit_id,
        assignee_id,
    )


async def open_book_visit_tasks(conn: Conn, order_id: UUID, visit_kind: str) -> list[Task]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM tasks WHERE order_id = $1 AND kind = 'book_visit' "
        "AND visit_kind = $2 AND status = 'open' FOR UPDATE",
        order_id,
        visit_kind,
    )
    return [_task(r) for r in rows]


async def complete(
    conn: Conn,
    task_id: UUID,
    by: UUID,
    at: datetime,
    note: str | None,
    results: dict[str, Any] | None,
) -> None:
    # A role task completed by one of that role is taken by them: it becomes theirs.
    await conn.execute(
        "UPDATE tasks SET status = 'done', completed_by = $2, completed_at = $3, note = $4, "
        "results = $5, assignee_id = coalesce(assignee_id, $2) WHERE id = $1",
        task_id,
        by,
        at,
        note,
        results,
    )


async def cancel(conn: Conn, task_id: UUID) -> bool:
    done = await conn.fetchval(
        "UPDATE tasks SET status = 'cancelled' WHERE id = $1 AND status = 'open' RETURNING true",
        task_id,
    )
    return bool(done)


async def involved(conn: Conn, order_id: UUID, user_id: UUID) -> bool:
    """Has this person a visit or task of their own on the order (DOMAIN.md: then they see it)?"""
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM tasks WHERE order_id = $1 AND assignee_id = $2) "
        "OR EXISTS (SELECT 1 FROM visits WHERE order_id = $1 AND assignee_id = $2)",
        order_id,
        user_id,
    )
    return bool(found)


async def search(
    conn: Conn | asyncpg.Pool,
    *,
    visible_to: Viewer | None,
    mine: tuple[UUID, str] | None,
    status: str | None,
    order_id: UUID | None,
    day: tuple[datetime, datetime] | None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Tasks with their visit's time; `visible_to` limits them to what that person may see,
    `mine` to tasks assigned to them or to their role and not yet taken.

    The visibility clause is `access.may_see_task` in SQL (a list cannot ask per row): a task
    of their own; a role task on no order; or any task of an order they may see, because a
    visit or task on it is theirs or (production) because of the stage it is at — in the
    order's own pipeline version (`pipeline_stages.production_sees`, as
    `PipelineDefinition.production_sees` decided it). A viewer who sees no orders (admin)
    gets no task on an order at all, their own included.
    """
    v_user = visible_to.user_id if visible_to else None
    v_orders = visible_to.sees_orders if visible_to else True
    v_role = visible_to.role if visible_to else None
    v_by_stage = visible_to.sees_by_stage if visible_to else False
    m_user, m_role = mine or (None, None)
    d_from, d_to = day or (None, None)
    rows = await conn.fetch(
        f"SELECT {', '.join('t.' + c.strip() for c in _COLUMNS.split(','))}, "
        "v.starts_at AS visit_starts_at, v.ends_at AS visit_ends_at, v.note AS visit_note "
        "FROM tasks t LEFT JOIN visits v ON v.id = t.visit_id WHERE "
        "($1::uuid IS NULL OR t.assignee_id = $1"
        " OR (t.order_id IS NULL AND t.assignee_id IS NULL AND t.assignee_role = $2)"
        " OR EXISTS (SELECT 1 FROM tasks o WHERE o.order_id = t.order_id AND o.assignee_id = $1)"
        " OR EXISTS (SELECT 1 FROM visits o WHERE o.order_id = t.order_id AND o.assignee_id = $1)"
        " OR ($10::bool AND EXISTS (SELECT 1 FROM known_orders k JOIN pipeline_stages s"
        " ON s.version = k.pipeline_version AND s.key = k.stage"
        " WHERE k.id = t.order_id AND s.production_sees)))"
        " AND ($11::bool OR t.order_id IS NULL)"
        " AND ($3::uuid IS NULL OR t.assignee_id = $3"
        " OR (t.assignee_id IS NULL AND t.assignee_role = $4 AND t.status = 'open'))"
        " AND ($5::text IS NULL OR t.status = $5) AND ($6::uuid IS NULL OR t.order_id = $6)"
        " AND ($7::timestamptz IS NULL OR (coalesce(v.starts_at, t.due_at) >= $7"
        " AND coalesce(v.starts_at, t.due_at) < $8))"
        " ORDER BY coalesce(v.starts_at, t.due_at, t.created_at) LIMIT $9",
        v_user,
        v_role,
        m_user,
        m_role,
        status,
        order_id,
        d_from,
        d_to,
        limit,
        v_by_stage,
        v_orders,
    )
    return [
        task_to_api(_task_of(r), r["visit_starts_at"], r["visit_ends_at"], r["visit_note"])
        for r in rows
    ]


def _task_of(row: asyncpg.Record) -> Task:
    return Task(**{k: row[k] for k in Task.__dataclass_fields__})


def task_to_api(
    t: Task,
    visit_starts_at: datetime | None = None,
    visit_ends_at: datetime | None = None,
    visit_note: str | None = None,
) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    def text(value: UUID | None) -> str | None:
        return str(value) if value else None

    return {
        "id": str(t.id),
        "order_id": text(t.order_id),
        "visit_id": text(t.visit_id),
        "kind": t.kind,
        "title": t.title,
        "status": t.status,
        "assignee_id": text(t.assignee_id),
        "assignee_role": t.assignee_role,
        "due_at": iso(t.due_at),
        "visit_kind": t.visit_kind,
        "visit_starts_at": iso(visit_starts_at),
        "visit_ends_at": iso(visit_ends_at),
        "visit_note": visit_note,
        "rule_id": t.rule_id,
        "cause_event_id": text(t.cause_event_id),
        "created_at": t.created_at.isoformat(),
        "completed_at": iso(t.completed_at),
        "completed_by": text(t.completed_by),
        "note": t.note,
        "results": t.results,
    }


async def open_of_order(conn: Conn, order_id: UUID) -> list[Task]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM tasks WHERE order_id = $1 AND status = 'open' FOR UPDATE",
        order_id,
    )
    return [_task(r) for r in rows]

"""Listing and completing tasks, with who may see and who may complete them.

Seeing (DOMAIN.md, Roles): managers, directors and admins see every task; anyone else sees
the tasks assigned to them or to their role and not yet taken, and the tasks of orders where
a visit or task is assigned to them. Completing: the assignee (a role task is taken by the
one who completes it), a manager or a director. Seen but not completable → 403; not seen →
404, indistinguishable from a task that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import ValidationError

from contracts.envelope import Actor
from contracts.events.common import MeasurementResults
from contracts.events.scheduling import TaskCompleted
from plumbing.db import Conn
from plumbing.errors import Conflict, Forbidden, Invalid, NotFound
from services.scheduling.adapters import task_store, visit_store
from services.scheduling.adapters.task_store import Task
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.application.robots import Robots
from services.scheduling.application.visit_tasks import actor_uuid

SEES_ALL = frozenset({"manager", "director", "admin"})
COMPLETES_ANY = frozenset({"manager", "director"})


def _assigned_to(task: Task, user: UUID, role: str | None) -> bool:
    return task.assignee_id == user or (task.assignee_id is None and task.assignee_role == role)


class Tasks:
    def __init__(
        self, pool: asyncpg.Pool, emitter: Emitter, robots: Robots, company_tz: str
    ) -> None:
        self.pool = pool
        self.emitter = emitter
        self.robots = robots
        self.company_tz = ZoneInfo(company_tz)

    async def list(
        self,
        actor: Actor,
        *,
        mine: bool,
        day: date | None,
        status: str | None,
        order_id: UUID | None,
    ) -> list[dict[str, Any]]:
        user, role = actor_uuid(actor), str(actor.role)
        span: tuple[datetime, datetime] | None = None
        if day is not None:
            # "Tasks of a date" means that calendar day where the company works.
            start = datetime.combine(day, time(), tzinfo=self.company_tz)
            span = (start, start + timedelta(days=1))
        return await task_store.search(
            self.pool,
            visible_to=None if role in SEES_ALL else (user, role),
            mine=(user, role) if mine else None,
            status=status,
            order_id=order_id,
            day=span,
        )

    async def _may_see(self, conn: Conn, task: Task, user: UUID, role: str) -> bool:
        return (
            role in SEES_ALL
            or _assigned_to(task, user, role)
            or await task_store.involved(conn, task.order_id, user)
        )

    async def complete(
        self,
        task_id: UUID,
        actor: Actor,
        note: str | None,
        results: dict[str, Any] | None,
    ) -> dict[str, Any]:
        user, role = actor_uuid(actor), str(actor.role)
        async with self.pool.acquire() as conn, conn.transaction():
            # Row lock: two people completing one task at once → one wins, the other sees done.
            task = await task_store.get(conn, task_id, lock=True)
            if task is None or not await self._may_see(conn, task, user, role):
                raise NotFound(f"task {task_id} not found")
            if role not in COMPLETES_ANY and not _assigned_to(task, user, role):
                raise Forbidden("only the assignee, a manager or a director may complete it")
            if task.status != "open":
                raise Conflict(f"the task is {task.status}", code="task_not_open")
            checked = self._results(task, results)
            now = self.emitter.clock()
            await task_store.complete(conn, task_id, user, now, note, checked)
            if task.visit_id is not None:
                await visit_store.set_status(conn, task.visit_id, "done")
            event = TaskCompleted(
                task_id=task_id,
                order_id=task.order_id,
                visit_id=task.visit_id,
                kind=task.kind,  # type: ignore[arg-type]  # stored from a TaskKind
                completed_by=user,
                note=note,
                results=MeasurementResults.model_validate(checked) if checked else None,
            )
            (written,) = await self.emitter.emit(conn, [Pending(event, f"task-{task_id}", actor)])
            await self.robots.fire(conn, written)
            done = await task_store.get(conn, task_id)
        assert done is not None
        return task_store.task_to_api(done)

    @staticmethod
    def _results(task: Task, results: dict[str, Any] | None) -> dict[str, Any] | None:
        if results is None:
            return None
        if task.kind != "measurement":
            raise Invalid("results are only taken for measurement tasks", code="invalid_results")
        try:
            return MeasurementResults.model_validate(results).model_dump(mode="json")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise Invalid(f"results.{where}: {first['msg']}", code="invalid_results") from None

"""Listing and completing tasks, with who may see and who may complete them.

The rule itself is `domain/access.py` (DOMAIN.md, Roles): managers and directors see every
task; admins, who see no orders, only tasks on no order that are theirs or their role's;
anyone else sees their own tasks, role tasks on no order, and the tasks of the orders they
may see. Not seen → 404, indistinguishable from a task that does not exist; seen
but not theirs to complete → 403.
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
from services.scheduling.adapters import completion_keys, task_store, visit_store
from services.scheduling.adapters.task_store import Task
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.application.order_access import sees_order, viewer_of
from services.scheduling.application.robots import Robots
from services.scheduling.domain import completion
from services.scheduling.domain.access import Viewer, may_complete, may_see_task


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
        viewer = viewer_of(actor)
        span: tuple[datetime, datetime] | None = None
        if day is not None:
            # "Tasks of a date" means that calendar day where the company works.
            start = datetime.combine(day, time(), tzinfo=self.company_tz)
            span = (start, start + timedelta(days=1))
        return await task_store.search(
            self.pool,
            visible_to=None if viewer.sees_all else viewer,
            mine=(viewer.user_id, viewer.role) if mine else None,
            status=status,
            order_id=order_id,
            day=span,
        )

    @staticmethod
    async def _may_see(conn: Conn, task: Task, viewer: Viewer) -> bool:
        order_visible = task.order_id is not None and await sees_order(conn, viewer, task.order_id)
        return may_see_task(viewer, task, order_visible=order_visible)

    async def complete(
        self,
        task_id: UUID,
        actor: Actor,
        note: str | None,
        results: dict[str, Any] | None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        viewer = viewer_of(actor)
        print_ = completion.fingerprint(note, results)
        async with self.pool.acquire() as conn, conn.transaction():
            # Row lock: two people completing one task at once → one wins, the other sees done.
            task = await task_store.get(conn, task_id, lock=True)
            if task is None or not await self._may_see(conn, task, viewer):
                raise NotFound(f"task {task_id} not found")
            if not may_complete(viewer, task):
                raise Forbidden("only the assignee, a manager or a director may complete it")
            if task.status != "open":
                earlier = await completion_keys.get(conn, task_id) if idempotency_key else None
                repeat = completion.repeat_of(earlier, idempotency_key, viewer.user_id, print_)
                if repeat == "replay":
                    return task_store.task_to_api(task)
                if repeat == "reused":
                    raise Invalid(
                        "Idempotency-Key was already used to complete this task with another body",
                        code="idempotency_key_reused",
                    )
                raise Conflict(f"the task is {task.status}", code="task_not_open")
            checked = self._results(task, results)
            now = self.emitter.clock()
            await task_store.complete(conn, task_id, viewer.user_id, now, note, checked)
            if idempotency_key is not None:
                keyed = completion.KeyedCompletion(idempotency_key, viewer.user_id, print_)
                await completion_keys.put(conn, task_id, keyed)
            if task.visit_id is not None:
                await visit_store.set_status(conn, task.visit_id, "done")
            event = TaskCompleted(
                task_id=task_id,
                order_id=task.order_id,
                visit_id=task.visit_id,
                kind=task.kind,  # type: ignore[arg-type]  # stored from a TaskKind
                completed_by=viewer.user_id,
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

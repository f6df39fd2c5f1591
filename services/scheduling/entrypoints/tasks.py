"""HTTP routes for tasks: list (mine / by date / by status / by order) and complete."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.api.common import OnDay, When
from plumbing.actor import CurrentActor
from services.scheduling.application.manual_tasks import create_task
from services.scheduling.entrypoints.deps import KnownOrdersDep, TasksDep

router = APIRouter()


class CompleteTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=5000)
    # Checked against MeasurementResults by the application (only measurement tasks take it).
    results: dict[str, Any] | None = None


class NewTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    order_id: UUID | None = None
    assignee_id: UUID | None = None
    assignee_role: str | None = None
    due_at: When | None = None


@router.post("/tasks", status_code=201)
async def new_task(
    body: NewTask, actor: CurrentActor, tasks: TasksDep, known_orders: KnownOrdersDep
) -> dict[str, Any]:
    return await create_task(
        tasks.pool,
        tasks.emitter,
        known_orders,
        actor,
        title=body.title.strip(),
        order_id=body.order_id,
        assignee_id=body.assignee_id,
        assignee_role=body.assignee_role,
        due_at=body.due_at,
    )


@router.get("/tasks")
async def list_tasks(
    actor: CurrentActor,
    tasks: TasksDep,
    mine: bool = False,
    day: Annotated[OnDay | None, Query(alias="date")] = None,
    status: Literal["open", "done", "cancelled"] | None = None,
    order_id: UUID | None = None,
) -> list[dict[str, Any]]:
    return await tasks.list(actor, mine=mine, day=day, status=status, order_id=order_id)


@router.post("/tasks/{task_id}/complete")
async def complete_task(
    task_id: UUID,
    body: CompleteTask,
    actor: CurrentActor,
    tasks: TasksDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    # A repeat under the same key (a phone's outbox) answers the task as completed then.
    return await tasks.complete(
        task_id, actor, body.note, body.results, idempotency_key=idempotency_key
    )

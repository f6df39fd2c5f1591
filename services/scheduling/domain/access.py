"""Who may see an order's tasks and visits, and who may complete a task (DOMAIN.md, Roles).

Pure: the application asks the stores whether the person is involved in the order (a visit or
task assigned to them personally) and at which stage it is, and this module decides.

The gateway decides the same question for the order itself from the access read model, with
the same table (contracts/roles.py: capabilities and audiences); production's stages are
those of the order's own pipeline version (`PipelineDefinition.production_sees`), not a fixed
list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from contracts.pipeline import PipelineDefinition
from contracts.roles import audience_of, may


@dataclass(frozen=True)
class Viewer:
    """The person asking, as the gateway vouches for them."""

    user_id: UUID
    role: str

    @property
    def sees_orders(self) -> bool:
        """An admin sees no order, whatever is (or was, before a role change) assigned."""
        return may(self.role, "orders.see")

    @property
    def sees_all(self) -> bool:
        return may(self.role, "orders.see_all")

    @property
    def sees_by_stage(self) -> bool:
        """Production sees every order at `production` or later in its pipeline, whoever is
        assigned to it."""
        return audience_of(self.role) == "production"


class Assignment(Protocol):
    """What these rules read of a task."""

    @property
    def order_id(self) -> UUID | None: ...
    @property
    def assignee_id(self) -> UUID | None: ...
    @property
    def assignee_role(self) -> str | None: ...


def may_see_order(
    viewer: Viewer, *, involved: bool, stage: str | None, pipeline: PipelineDefinition | None
) -> bool:
    """`involved`: a visit or task of the order is assigned to the viewer personally;
    `stage`: the order's stage as scheduling knows it (None for an order it does not know);
    `pipeline`: the order's pipeline version (None until scheduling has heard of it)."""
    if not viewer.sees_orders:
        return False
    if viewer.sees_all or involved:
        return True
    if not viewer.sees_by_stage or stage is None or pipeline is None:
        return False
    return pipeline.production_sees(stage)


def may_see_task(viewer: Viewer, task: Assignment, *, order_visible: bool) -> bool:
    """A task of an order is seen by those who may see the order: a task left to a role
    ("installers") is not an invitation to every installer into an order that is not theirs.
    A task on no order is seen by its assignee, or by its role while nobody has taken it; a
    task on an order by nobody who sees no orders, even its assignee (its title names the
    order's work)."""
    if task.order_id is not None and not viewer.sees_orders:
        return False
    if viewer.sees_all or task.assignee_id == viewer.user_id:
        return True
    if task.order_id is None:
        return task.assignee_id is None and task.assignee_role == viewer.role
    return order_visible


def may_complete(viewer: Viewer, task: Assignment) -> bool:
    """Of a task the viewer may see: its assignee, anyone of its role while nobody has taken
    it (completing takes it), a manager or a director. Admins do no field work."""
    return (
        may(viewer.role, "tasks.complete_any")
        or task.assignee_id == viewer.user_id
        or (task.assignee_id is None and task.assignee_role == viewer.role)
    )


def may_see_schedule(viewer: Viewer, member_id: UUID) -> bool:
    """A crew member's calendar names the orders of their visits: bookers read anyone's, a
    crew member only their own."""
    return may(viewer.role, "calendars.read_any") or viewer.user_id == member_id

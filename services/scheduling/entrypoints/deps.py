"""FastAPI dependencies of the scheduling service: its application objects and role checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from contracts.envelope import Actor
from contracts.roles import Capability, may
from plumbing.errors import Forbidden
from plumbing.state import from_state
from services.scheduling.application.automation import Automation
from services.scheduling.application.crew import Crew
from services.scheduling.application.known_orders import KnownOrders
from services.scheduling.application.presence import Presence
from services.scheduling.application.tasks import Tasks
from services.scheduling.application.visits import Visits

CrewDep = Annotated[Crew, Depends(from_state("crew", Crew))]
VisitsDep = Annotated[Visits, Depends(from_state("visits", Visits))]
PresenceDep = Annotated[Presence, Depends(from_state("presence", Presence))]
TasksDep = Annotated[Tasks, Depends(from_state("tasks", Tasks))]
AutomationDep = Annotated[Automation, Depends(from_state("automation", Automation))]
KnownOrdersDep = Annotated[KnownOrders, Depends(from_state("known_orders", KnownOrders))]


def require(actor: Actor, capability: Capability) -> None:
    """The gateway checks the capability first; this repeats it for writes, so a service
    reached by another path (a misrouted call inside the cluster) still refuses."""
    if not may(actor.role or "", capability):
        raise Forbidden(f"role {actor.role} may not do this (needs {capability})")

"""FastAPI dependencies of the scheduling service: its application objects and role checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from contracts.envelope import Actor
from plumbing.errors import Forbidden
from services.scheduling.application.automation import Automation
from services.scheduling.application.crew import Crew
from services.scheduling.application.tasks import Tasks
from services.scheduling.application.visits import Visits


def _crew(request: Request) -> Crew:
    value: Crew = request.app.state.crew
    return value


def _visits(request: Request) -> Visits:
    value: Visits = request.app.state.visits
    return value


def _tasks(request: Request) -> Tasks:
    value: Tasks = request.app.state.tasks
    return value


def _automation(request: Request) -> Automation:
    value: Automation = request.app.state.automation
    return value


CrewDep = Annotated[Crew, Depends(_crew)]
VisitsDep = Annotated[Visits, Depends(_visits)]
TasksDep = Annotated[Tasks, Depends(_tasks)]
AutomationDep = Annotated[Automation, Depends(_automation)]


def require_role(actor: Actor, *roles: str) -> None:
    """The gateway checks roles first; this repeats it for writes, so a service reached by
    another path (a misrouted call inside the cluster) still refuses."""
    if actor.role not in roles:
        raise Forbidden(f"role {actor.role} may not do this")

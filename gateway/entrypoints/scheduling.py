"""Crew, visits, tasks and robots: routed to the scheduling service with the caller attached.

Roles are checked here (DOMAIN.md, Roles); which task a person may see or complete depends on
assignments only scheduling holds, so that part is decided there from the X-Actor headers.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from contracts.roles import may
from gateway.application.access import require_order_access
from gateway.domain.users import User
from gateway.domain.visibility import strip_commercial
from gateway.entrypoints.bodies import json_body
from gateway.entrypoints.deps import Needs, SignedIn, UpstreamsDep, caller_of
from plumbing.errors import Invalid, NotFound

router = APIRouter(prefix="/api/v1")

Booker = Annotated[User, Depends(Needs("visits.book"))]
TaskCreator = Annotated[User, Depends(Needs("tasks.create"))]
CrewEditor = Annotated[User, Depends(Needs("crew.edit"))]
RuleReader = Annotated[User, Depends(Needs("rules.read"))]
RuleEditor = Annotated[User, Depends(Needs("rules.edit"))]


async def _pass(
    upstreams: UpstreamsDep,
    user: User,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: Any = None,
    response: Response | None = None,
) -> Any:
    reply = await upstreams.call(
        "scheduling", method, path, caller_of(user), json=json, params=params
    )
    if response is not None:
        response.status_code = reply.status
    return strip_commercial(reply.body, user.role)


@router.get("/crew")
async def crew(user: SignedIn, upstreams: UpstreamsDep, role: str | None = None) -> Any:
    return await _pass(upstreams, user, "GET", "/crew", params={"role": role} if role else None)


@router.put("/crew/{member_id}")
async def update_crew_member(
    member_id: UUID, request: Request, user: CrewEditor, upstreams: UpstreamsDep
) -> Any:
    return await _pass(upstreams, user, "PUT", f"/crew/{member_id}", json=await json_body(request))


@router.get("/crew/{member_id}/schedule")
async def crew_schedule(
    member_id: UUID, request: Request, user: SignedIn, upstreams: UpstreamsDep
) -> Any:
    # Bookers see anyone's calendar; a crew member sees their own.
    if not may(user.role, "calendars.read_any") and user.id != member_id:
        raise NotFound(f"crew member {member_id} not found")
    params = dict(request.query_params)
    return await _pass(upstreams, user, "GET", f"/crew/{member_id}/schedule", params=params)


@router.post("/orders/{order_id}/visits", status_code=201)
async def book_visit(
    order_id: UUID, request: Request, response: Response, user: Booker, upstreams: UpstreamsDep
) -> Any:
    return await _pass(
        upstreams,
        user,
        "POST",
        f"/orders/{order_id}/visits",
        json=await json_body(request),
        response=response,
    )


@router.patch("/visits/{visit_id}")
async def change_visit(
    visit_id: UUID, request: Request, user: Booker, upstreams: UpstreamsDep
) -> Any:
    return await _pass(
        upstreams, user, "PATCH", f"/visits/{visit_id}", json=await json_body(request)
    )


def _order_id_of(body: Any) -> UUID | None:
    """The task's order, if the body names one; a malformed id is the client's error (422),
    refused here because the access check below needs it before scheduling validates it."""
    raw = body.get("order_id") if isinstance(body, dict) else None
    if raw is None:
        return None
    if isinstance(raw, str):
        with suppress(ValueError):
            return UUID(raw)
    raise Invalid("order_id: not a valid UUID")


@router.post("/tasks", status_code=201)
async def new_task(request: Request, user: TaskCreator, upstreams: UpstreamsDep) -> Any:
    body = await json_body(request)
    order_id = _order_id_of(body)
    if order_id is not None:
        await require_order_access(upstreams, caller_of(user), order_id)
    return await _pass(upstreams, user, "POST", "/tasks", json=body)


@router.get("/orders/{order_id}/visits")
async def order_visits(order_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Any:
    await require_order_access(upstreams, caller_of(user), order_id)
    return await _pass(upstreams, user, "GET", f"/orders/{order_id}/visits")


@router.get("/tasks")
async def tasks(request: Request, user: SignedIn, upstreams: UpstreamsDep) -> Any:
    return await _pass(upstreams, user, "GET", "/tasks", params=dict(request.query_params))


@router.post("/tasks/{task_id}/complete")
async def complete_task(
    task_id: UUID, request: Request, user: SignedIn, upstreams: UpstreamsDep
) -> Any:
    body = await json_body(request)
    return await _pass(upstreams, user, "POST", f"/tasks/{task_id}/complete", json=body or {})


@router.get("/automation/rules")
async def rules(user: RuleReader, upstreams: UpstreamsDep) -> Any:
    return await _pass(upstreams, user, "GET", "/automation/rules")


@router.put("/automation/rules/{rule_id}")
async def put_rule(
    rule_id: str, request: Request, user: RuleEditor, upstreams: UpstreamsDep
) -> Any:
    return await _pass(
        upstreams, user, "PUT", f"/automation/rules/{rule_id}", json=await json_body(request)
    )

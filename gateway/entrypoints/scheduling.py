"""Crew, visits, tasks and robots: routed to the scheduling service with the caller attached.

Roles are checked here (DOMAIN.md, Roles); which task a person may see or complete depends on
assignments only scheduling holds, so that part is decided there from the signed actor.
Nothing here is commercial: every audience's model is the same (contracts/api/scheduling.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from contracts.api.audience import Views
from contracts.api.cards import TaskOut
from contracts.api.common import OnDay, When
from contracts.api.errors import errors
from contracts.api.scheduling import (
    BOOKED,
    CALENDAR,
    CREW,
    MEMBER,
    ON_SITE,
    RULE,
    RULES,
    SCHEDULE,
    TASK,
    TASKS,
    VISIT,
    VISITS,
    Booked,
    BookVisit,
    CalendarEntry,
    ChangeVisit,
    CompleteTask,
    CrewMember,
    CrewRole,
    CrewUpdate,
    NewTask,
    OnSite,
    OnSiteRequest,
    Rule,
    RuleRequest,
    Schedule,
    Visit,
)
from contracts.roles import may
from gateway.application.access import require_order_access
from gateway.domain.users import User
from gateway.entrypoints.deps import Needs, SignedIn, UpstreamsDep, caller_of
from gateway.entrypoints.typed import NO_NUL, GuardedRoute, relayed, sent
from plumbing.errors import NotFound

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

Booker = Annotated[User, Depends(Needs("visits.book"))]
OnOrders = Annotated[User, Depends(Needs("orders.see"))]
TaskCreator = Annotated[User, Depends(Needs("tasks.create"))]
CrewEditor = Annotated[User, Depends(Needs("crew.edit"))]
RuleReader = Annotated[User, Depends(Needs("rules.read"))]
RuleEditor = Annotated[User, Depends(Needs("rules.edit"))]
READ = errors(401, 422, 503)
RULE_ID = r"^[a-z0-9][a-z0-9_-]{0,62}$"  # a rule's id, as the scheduling service takes it
COMMAND = errors(401, 403, 404, 409, 413, 422, 503)


async def _pass(
    upstreams: UpstreamsDep,
    user: User,
    method: str,
    path: str,
    views: Views,
    *,
    json: Any = None,
    params: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    reply = await upstreams.call(
        "scheduling", method, path, caller_of(user), json=json, params=params, headers=headers
    )
    return relayed(reply, views, user, reply.status)


@router.get("/crew", response_model=list[CrewMember], responses=READ)
async def crew(
    user: SignedIn,
    upstreams: UpstreamsDep,
    role: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
) -> Response:
    params = {"role": role} if role else None
    return await _pass(upstreams, user, "GET", "/crew", CREW, params=params)


@router.get(
    "/crew/calendar",
    response_model=list[CalendarEntry],
    operation_id="crew_calendar",
    responses=errors(401, 403, 422, 503),
)
async def crew_calendar(
    user: Booker,
    upstreams: UpstreamsDep,
    start: Annotated[When, Query(alias="from")],
    end: Annotated[When, Query(alias="to")],
    role: CrewRole | None = None,
) -> Response:
    """Every crew member of `role` (all crew without it) with their schedule in [from, to),
    each as GET /crew/{member_id}/schedule answers it: a week of a whole role in one request.
    At most 31 days; `to` after `from`."""
    params = {"from": start.isoformat(), "to": end.isoformat(), **({"role": role} if role else {})}
    return await _pass(upstreams, user, "GET", "/crew/calendar", CALENDAR, params=params)


@router.put("/crew/{member_id}", response_model=CrewMember, responses=COMMAND)
async def update_crew_member(
    member_id: UUID, body: CrewUpdate, user: CrewEditor, upstreams: UpstreamsDep
) -> Response:
    return await _pass(upstreams, user, "PUT", f"/crew/{member_id}", MEMBER, json=sent(body))


@router.get(
    "/crew/{member_id}/schedule", response_model=Schedule, responses=errors(401, 404, 422, 503)
)
async def crew_schedule(
    member_id: UUID,
    user: SignedIn,
    upstreams: UpstreamsDep,
    start: Annotated[When, Query(alias="from")],
    end: Annotated[When, Query(alias="to")],
) -> Response:
    # Bookers see anyone's calendar; a crew member sees their own.
    if not may(user.role, "calendars.read_any") and user.id != member_id:
        raise NotFound(f"crew member {member_id} not found")
    params = {"from": start.isoformat(), "to": end.isoformat()}
    path = f"/crew/{member_id}/schedule"
    return await _pass(upstreams, user, "GET", path, SCHEDULE, params=params)


@router.post(
    "/orders/{order_id}/visits",
    status_code=201,
    response_model=Booked,
    responses={
        200: {"model": Booked, "description": "the same Idempotency-Key again: that booking"},
        **COMMAND,
    },
)
async def book_visit(
    order_id: UUID,
    body: BookVisit,
    user: Booker,
    upstreams: UpstreamsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """With an Idempotency-Key, a booking retried after a lost answer books nothing twice."""
    path = f"/orders/{order_id}/visits"
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    return await _pass(upstreams, user, "POST", path, BOOKED, json=sent(body), headers=headers)


@router.patch("/visits/{visit_id}", response_model=Visit, responses=COMMAND)
async def change_visit(
    visit_id: UUID, body: ChangeVisit, user: Booker, upstreams: UpstreamsDep
) -> Response:
    return await _pass(upstreams, user, "PATCH", f"/visits/{visit_id}", VISIT, json=sent(body))


_ON_SITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": OnSite, "description": "the same Idempotency-Key again: the first answer"},
    **COMMAND,
}


async def _on_site(
    act: str,
    visit_id: UUID,
    body: OnSiteRequest,
    user: User,
    upstreams: UpstreamsDep,
    idempotency_key: str | None,
) -> Response:
    # Who may (the visit's assignee only; 404 for a visit on an order the caller cannot
    # see) is decided by scheduling, which holds the visits.
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    path = f"/visits/{visit_id}/{act}"
    return await _pass(upstreams, user, "POST", path, ON_SITE, json=sent(body), headers=headers)


@router.post(
    "/visits/{visit_id}/check-in",
    status_code=201,
    response_model=OnSite,
    responses=_ON_SITE_RESPONSES,
)
async def check_in(
    visit_id: UUID,
    body: OnSiteRequest,
    user: OnOrders,
    upstreams: UpstreamsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The visit's assignee arrived: records the phone's position and time; the first
    check-in on an order pins the site's position (photos are judged against it)."""
    return await _on_site("check-in", visit_id, body, user, upstreams, idempotency_key)


@router.post(
    "/visits/{visit_id}/check-out",
    status_code=201,
    response_model=OnSite,
    responses=_ON_SITE_RESPONSES,
)
async def check_out(
    visit_id: UUID,
    body: OnSiteRequest,
    user: OnOrders,
    upstreams: UpstreamsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The visit's assignee left (after checking in: 409 not_checked_in otherwise)."""
    return await _on_site("check-out", visit_id, body, user, upstreams, idempotency_key)


@router.post("/tasks", status_code=201, response_model=TaskOut, responses=COMMAND)
async def new_task(body: NewTask, user: TaskCreator, upstreams: UpstreamsDep) -> Response:
    if body.order_id is not None:
        await require_order_access(upstreams, caller_of(user), body.order_id)
    return await _pass(upstreams, user, "POST", "/tasks", TASK, json=sent(body))


@router.get(
    "/orders/{order_id}/visits", response_model=list[Visit], responses=errors(401, 404, 422, 503)
)
async def order_visits(order_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Response:
    await require_order_access(upstreams, caller_of(user), order_id)
    return await _pass(upstreams, user, "GET", f"/orders/{order_id}/visits", VISITS)


@router.get("/tasks", response_model=list[TaskOut], responses=READ)
async def tasks(
    user: SignedIn,
    upstreams: UpstreamsDep,
    mine: bool = False,
    day: Annotated[OnDay | None, Query(alias="date")] = None,
    status: Literal["open", "done", "cancelled"] | None = None,
    order_id: UUID | None = None,
) -> Response:
    """`mine`: assigned to me personally, or to my role and not yet taken."""
    given = {"mine": str(mine).lower(), "date": day, "status": status, "order_id": order_id}
    params = {k: str(v) for k, v in given.items() if v is not None}
    return await _pass(upstreams, user, "GET", "/tasks", TASKS, params=params)


@router.post("/tasks/{task_id}/complete", response_model=TaskOut, responses=COMMAND)
async def complete_task(
    task_id: UUID,
    user: SignedIn,
    upstreams: UpstreamsDep,
    body: CompleteTask | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """With an Idempotency-Key, a completion sent again (a phone's outbox whose answer was
    lost) answers the task as completed the first time; the same key with another body is
    422 idempotency_key_reused."""
    path = f"/tasks/{task_id}/complete"
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    return await _pass(upstreams, user, "POST", path, TASK, json=sent(body) or {}, headers=headers)


@router.get("/automation/rules", response_model=list[Rule], responses=errors(401, 403, 503))
async def rules(user: RuleReader, upstreams: UpstreamsDep) -> Response:
    return await _pass(upstreams, user, "GET", "/automation/rules", RULES)


@router.put("/automation/rules/{rule_id}", response_model=Rule, responses=COMMAND)
async def put_rule(
    rule_id: Annotated[str, Path(pattern=RULE_ID)],
    body: RuleRequest,
    user: RuleEditor,
    upstreams: UpstreamsDep,
) -> Response:
    path = f"/automation/rules/{rule_id}"
    return await _pass(upstreams, user, "PUT", path, RULE, json=sent(body))

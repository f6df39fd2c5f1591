"""Orders and the board, as the caller's role may see them (its audience's models)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from contracts.api.board import BOARD, Board
from contracts.api.cards import CARD, ORDER_LINKS, OrderCard
from contracts.api.errors import errors
from contracts.api.orders import CreateOrderRequest
from contracts.roles import audience_of
from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from gateway.domain.users import User
from gateway.domain.visibility import is_field_role
from gateway.entrypoints.deps import Needs, SignedIn, UpstreamsDep, caller_of
from gateway.entrypoints.typed import NO_NUL, GuardedRoute, sent, shown
from plumbing.errors import DomainError

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

Creator = Annotated[User, Depends(Needs("orders.create"))]
Lang = Annotated[str, Query(pattern="^(ru|en)$")]


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderCard,
    operation_id="create_order",
    responses={
        200: {
            "model": OrderCard,
            "description": "the same Idempotency-Key and body again",
            "links": ORDER_LINKS,
        },
        201: {"links": ORDER_LINKS},
        **errors(401, 403, 413, 422, 503),
    },
)
async def create_order(
    body: CreateOrderRequest,
    user: Creator,
    upstreams: UpstreamsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    reply = await upstreams.call(
        "orders", "POST", "/orders", caller_of(user), json=sent(body), headers=headers
    )
    return shown(reply.body, CARD, user, reply.status)


@router.get(
    "/orders/{order_id}",
    response_model=OrderCard,
    operation_id="get_order",
    responses={200: {"links": ORDER_LINKS}, **errors(401, 404, 422, 503)},
)
async def get_order(
    order_id: UUID,
    user: SignedIn,
    upstreams: UpstreamsDep,
    min_version: Annotated[int | None, Query(ge=0)] = None,
    lang: Lang = "ru",
) -> Response:
    params = {"lang": lang}
    caller = caller_of(user)
    await require_order_access(upstreams, caller, order_id)
    # The card is the orders service's own state, so a command's version is normally there
    # at once; `min_version` still waits (up to 5 s) for facts other services are delivering.
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        reply = await upstreams.call("orders", "GET", f"/orders/{order_id}", caller, params=params)
        card: dict[str, Any] = reply.body
        if min_version is None or card["version"] >= min_version:
            break
        if asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.05)
    card["tasks"] = await _tasks_of(upstreams, caller, order_id, card.get("tasks", []))
    return shown(card, CARD, user)


async def _tasks_of(
    upstreams: Upstreams, caller: Caller, order_id: UUID, known: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The order's tasks as scheduling knows them (open ones too, with titles and
    assignees); the orders service only holds the completed ones it needs for gates."""
    try:
        reply = await upstreams.call(
            "scheduling", "GET", "/tasks", caller, params={"order_id": str(order_id)}
        )
    except DomainError:
        return known  # scheduling unavailable: the card still shows what orders knows
    tasks: list[dict[str, Any]] = reply.body
    return tasks


@router.get("/board", response_model=Board, responses=errors(401, 422, 503))
async def board(
    user: SignedIn,
    upstreams: UpstreamsDep,
    q: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    manager: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    assignee: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    lang: Lang = "ru",
) -> Response:
    params: dict[str, Any] = {"limit": limit, "lang": lang}
    if q:
        params["q"] = q
    if manager:
        params["manager"] = manager
    if assignee:
        params["assignee"] = assignee
    if is_field_role(user.role):
        params["visible_to"] = str(user.id)  # only orders assigned to them
    elif audience_of(user.role) == "production":
        # Production's stages are each order's pipeline's: projections filters by them, so
        # counts and cards agree (no stage list here).
        params["production_view"] = "true"
    reply = await upstreams.call("projections", "GET", "/board", caller_of(user), params=params)
    return shown(reply.body, BOARD, user)

"""Orders and the board, as the caller's role may see them (its audience's models)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from contracts.api.board import BOARD, BOARD_CARD, Board, BoardCard
from contracts.api.cards import CARD, ORDER_LINKS, OrderCard
from contracts.api.customers import CUSTOMERS, FoundCustomer
from contracts.api.errors import errors
from contracts.api.orders import CreateOrderRequest
from contracts.api.phones import MIN_DIGITS, phone_digits
from contracts.roles import audience_of
from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from gateway.application.names import name_consent_recorder
from gateway.domain.users import User
from gateway.domain.visibility import is_field_role
from gateway.entrypoints.deps import Needs, SignedIn, UpstreamsDep, Users, caller_of
from gateway.entrypoints.typed import NO_NUL, GuardedRoute, relayed, sent, shown
from plumbing.errors import DomainError, Invalid

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

Creator = Annotated[User, Depends(Needs("orders.create"))]
# The board is for those who see orders at all: admin gets 403, not an empty board.
OrderViewer = Annotated[User, Depends(Needs("orders.see"))]
Lang = Annotated[str, Query(pattern="^(ru|en)$")]
# At least ten digits, whatever else is around them (and no NUL: refused below the app).
PHONE_QUERY = r"^[^0-9\x00]*(?:[0-9][^0-9\x00]*){10,}$"


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
    return relayed(reply, CARD, user, reply.status)


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
    users: Users,
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
    return shown(await name_consent_recorder(card, users), CARD, user)


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


Text = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


@dataclass(frozen=True)
class BoardQuery:
    """The board's filters as a client gives them; one card (board_card) takes the same, so
    a client can ask whether the board it shows would still show a card."""

    q: Text = None
    manager: Text = None
    assignee: Text = None
    mine: Annotated[
        bool, Query(description="orders I manage, or with a visit or task assigned to me")
    ] = False
    overdue: Annotated[bool, Query(description="only orders past their stage's limit")] = False
    lang: Lang = "ru"

    def params(self, user: User) -> dict[str, Any]:
        """What projections is asked, the caller's own limits added: a field role sees only
        orders assigned to them, production only its stages. Counts and cards come from the
        same filter there, so they agree."""
        given = {"q": self.q, "manager": self.manager, "assignee": self.assignee}
        params: dict[str, Any] = {k: v for k, v in given.items() if v}
        params["lang"] = self.lang
        if self.mine:
            params["mine"] = str(user.id)
        if self.overdue:
            params["overdue"] = "true"
        if is_field_role(user.role):
            params["visible_to"] = str(user.id)  # only orders assigned to them
        elif audience_of(user.role) == "production":
            # Production's stages are each order's pipeline's: projections filters by them, so
            # counts and cards agree (no stage list here).
            params["production_view"] = "true"
        return params


BoardFilters = Annotated[BoardQuery, Depends()]


@router.get("/board", response_model=Board, responses=errors(401, 403, 422, 503))
async def board(
    user: OrderViewer,
    upstreams: UpstreamsDep,
    filters: BoardFilters,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    params = {**filters.params(user), "limit": limit}
    reply = await upstreams.call("projections", "GET", "/board", caller_of(user), params=params)
    return relayed(reply, BOARD, user)


@router.get(
    "/board/cards/{order_id}",
    response_model=BoardCard,
    operation_id="board_card",
    responses=errors(401, 403, 404, 422, 503),
)
async def board_card(
    order_id: UUID, user: OrderViewer, upstreams: UpstreamsDep, filters: BoardFilters
) -> Response:
    """One card of the board, as GET /board would show it with the same filters (a board
    push names the order: refresh that card alone). 404 when that board would not show it:
    an order that does not exist, one the caller may not see, or one the filters leave out
    all get the same answer."""
    params = filters.params(user)
    path = f"/board/cards/{order_id}"
    reply = await upstreams.call("projections", "GET", path, caller_of(user), params=params)
    return relayed(reply, BOARD_CARD, user)


@router.get(
    "/customers",
    response_model=list[FoundCustomer],
    operation_id="find_customers",
    responses=errors(401, 403, 422, 503),
)
async def find_customers(
    user: Creator,
    upstreams: UpstreamsDep,
    phone: Annotated[
        str,
        Query(
            max_length=40,
            description=f"any form of the number, at least {MIN_DIGITS} digits",
            # Said in the OpenAPI only: the check below answers with a message people read.
            json_schema_extra={"pattern": PHONE_QUERY},
        ),
    ],
    lang: Lang = "ru",
) -> Response:
    """Customers who already ordered from this number (+7 916 123-45-67, 8 (916) 123 45 67
    and 79161234567 are one number), each with their recent orders."""
    if len(phone_digits(phone)) < MIN_DIGITS:
        raise Invalid(f"phone: at least {MIN_DIGITS} digits are needed", code="invalid_phone")
    params = {"phone": phone, "lang": lang}
    reply = await upstreams.call("projections", "GET", "/customers", caller_of(user), params=params)
    return relayed(reply, CUSTOMERS, user)

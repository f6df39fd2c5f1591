"""The customer directory and a customer's page (issue 20), from the projections' read model.

Who may read them: `orders.see_all` (managers and directors). A customer's page lists every
order at their number whoever is assigned, which is what that capability grants; field roles
see only their own orders, production only from its stage on, and admin no order at all, so
all of them get 403. Nothing here is commercial; the history the page merges comes from each
order's own history route, which filters it for the caller as the card does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from contracts.api.customers import (
    CUSTOMER_PAGE,
    DIRECTORY,
    CustomerDirectory,
    CustomerPage,
)
from contracts.api.errors import errors
from contracts.api.phones import phone_digits
from gateway.domain.users import User
from gateway.entrypoints.deps import Needs, UpstreamsDep, caller_of
from gateway.entrypoints.typed import GuardedRoute, relayed

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

DirectoryReader = Annotated[User, Depends(Needs("orders.see_all"))]
Lang = Annotated[str, Query(pattern="^(ru|en)$")]
PAGE_MAX = 200


@router.get(
    "/customers/directory",
    response_model=CustomerDirectory,
    operation_id="customer_directory",
    responses=errors(401, 403, 422, 503),
)
async def directory(
    user: DirectoryReader,
    upstreams: UpstreamsDep,
    q: Annotated[
        str,
        Query(
            max_length=100,
            description="a number in any form (+7…, 8…, spaces, dashes), whole or in part, "
            "or a part of the name (any case)",
        ),
    ] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> Response:
    """Every customer (one per number), most recently active first, `limit` at a time."""
    params = {"q": q, "offset": offset, "limit": limit}
    path = "/customers/directory"
    reply = await upstreams.call("projections", "GET", path, caller_of(user), params=params)
    return relayed(reply, DIRECTORY, user)


@router.get(
    "/customers/{phone}",
    response_model=CustomerPage,
    operation_id="customer_page",
    responses=errors(401, 403, 404, 422, 503),
)
async def customer(
    user: DirectoryReader,
    upstreams: UpstreamsDep,
    phone: Annotated[
        str,
        Path(
            pattern=r"^[0-9]{10,15}$",
            description="the number's digits (a directory row's `digits`; 8… and ten-digit "
            "forms name the same customer)",
        ),
    ],
    lang: Lang = "ru",
) -> Response:
    """One customer: the names, numbers and addresses they ordered under, and every order
    (newest first) with its stage; 404 when nobody ordered from this number."""
    path = f"/customers/{phone_digits(phone)}"
    params = {"lang": lang}
    reply = await upstreams.call("projections", "GET", path, caller_of(user), params=params)
    return relayed(reply, CUSTOMER_PAGE, user)

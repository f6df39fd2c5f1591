"""Customers by phone (called by the gateway, which decides who may ask)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from contracts.api.phones import MIN_DIGITS, phone_digits
from plumbing.errors import Invalid, NotFound
from plumbing.state import PoolDep
from services.projections.adapters import customers_store, pipeline_store
from services.projections.domain.customers import (
    customer_page,
    customers_at,
    directory_patterns,
)

router = APIRouter()
Lang = Annotated[str, Query(pattern="^(ru|en)$")]


@router.get("/customers")
async def customers(
    pool: PoolDep,
    phone: Annotated[str, Query(max_length=40)],
    lang: Lang = "ru",
) -> list[dict[str, Any]]:
    """`[{name, phone, address, address_text, orders: [{id, number, title, stage,
    stage_title}]}]`: who ordered from this number, in any of its forms."""
    digits = phone_digits(phone)
    if len(digits) < MIN_DIGITS:
        raise Invalid(f"phone: at least {MIN_DIGITS} digits are needed", code="invalid_phone")
    found = customers_at(await customers_store.at_number(pool, digits), digits)
    pipelines = await pipeline_store.load(pool)
    for customer in found:
        for order in customer["orders"]:
            version = order.pop("pipeline_version")
            order["stage_title"] = pipelines.title(order["stage"], lang, version)
    return found


# The directory (issue 20). `/customers/directory` is declared before `/customers/{digits}`
# would match it; the digits' pattern keeps the two apart anyway.
Digits = Annotated[str, Path(pattern=r"^[0-9]{10,15}$")]
DIRECTORY_PAGE_MAX = 200


@router.get("/customers/directory")
async def directory(
    pool: PoolDep,
    q: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=DIRECTORY_PAGE_MAX)] = 50,
) -> dict[str, Any]:
    """`{total, customers: [...]}`: one per number, most recently active first, matching
    `q` (a number in any form, whole or in part, or a part of the name)."""
    total, rows = await customers_store.directory(pool, directory_patterns(q), offset, limit)
    return {"total": total, "offset": offset, "customers": rows}


@router.get("/customers/{digits}")
async def customer(pool: PoolDep, digits: Digits, lang: Lang = "ru") -> dict[str, Any]:
    """One customer's page: names, numbers and addresses they ordered under, every order."""
    found = await customers_store.customer(pool, phone_digits(digits))
    if found is None:
        raise NotFound("no customer at this number")
    page = customer_page(*found)
    pipelines = await pipeline_store.load(pool)
    for order in page["orders"]:
        order["stage_title"] = pipelines.title(order["stage"], lang, order.pop("pipeline_version"))
    return page

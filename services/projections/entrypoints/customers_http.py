"""Customers by phone (called by the gateway, which decides who may ask)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from contracts.api.phones import MIN_DIGITS, phone_digits
from plumbing.errors import Invalid
from plumbing.state import PoolDep
from services.projections.adapters import customers_store, pipeline_store
from services.projections.domain.customers import customers_at

router = APIRouter()


@router.get("/customers")
async def customers(
    pool: PoolDep,
    phone: Annotated[str, Query(max_length=40)],
    lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru",
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

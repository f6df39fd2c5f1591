"""Read API of the projections (called by the gateway, which filters by role)."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query, Request

from contracts.pipeline import DEFAULT_STAGES
from plumbing.errors import NotFound
from services.projections.adapters import access_store, board_store

router = APIRouter()


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


def _card_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row.pop("rn", None)
    row["customer"] = {
        "name": row.pop("customer_name"),
        "phone": row.pop("phone"),
        "address": row.pop("address_json"),
        "address_text": row.pop("address"),
    }
    row["manager"] = (
        {"id": row["manager_id"], "display_name": row.pop("manager_name")}
        if row.get("manager_id")
        else row.pop("manager_name")
    )
    row.pop("manager_id", None)
    return row


@router.get("/board")
async def get_board(
    pool: Pool,
    q: Annotated[str | None, Query(max_length=200)] = None,
    manager: str | None = None,
    visible_to: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    lang: str = "ru",
) -> dict[str, Any]:
    counts, cards = await board_store.board(
        pool,
        q=q,
        manager=manager,
        visible_to=str(visible_to) if visible_to else None,
        limit=limit,
    )
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for row in cards:
        by_stage.setdefault(row["stage"], []).append(_card_out(row))
    return {
        "columns": [
            {
                "stage": key,
                "title": ru if lang == "ru" else en,
                "count": counts.get(key, 0),
                "cards": by_stage.get(key, []),
            }
            for key, ru, en in DEFAULT_STAGES
        ]
    }


@router.get("/access/{order_id}")
async def get_access(order_id: UUID, pool: Pool, user_id: UUID | None = None) -> dict[str, Any]:
    """What the gateway asks before serving a field role anything about an order."""
    return await access_store.access(pool, order_id, user_id)


@router.get("/orders/{order_id}")
async def get_card(
    order_id: UUID,
    pool: Pool,
    min_version: Annotated[int | None, Query(ge=0)] = None,
) -> dict[str, Any]:
    """The card; with min_version, wait up to 5 s for the read side to catch up."""
    deadline = time.monotonic() + 5
    while True:
        row = await board_store.card(pool, str(order_id))
        caught_up = row is not None and (min_version is None or row["version"] >= min_version)
        if caught_up or time.monotonic() >= deadline:
            break
        await asyncio.sleep(0.05)
    if row is None:
        raise NotFound(f"order {order_id} not found")
    return _card_out(row)

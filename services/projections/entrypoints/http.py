"""Read API of the projections (called by the gateway, which filters by role)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query

from plumbing.errors import NotFound
from plumbing.state import PoolDep
from services.projections.adapters import access_store, board_store, changes_store, pipeline_store
from services.projections.adapters.board_filters import BoardFilter
from services.projections.application.forecasting import forecasts
from services.projections.domain.pipelines import Pipelines

router = APIRouter()


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
    starts = row.pop("next_visit_at", None)
    ends = row.pop("next_visit_ends_at", None)
    kind = row.pop("next_visit_kind", None)
    assignee_id = row.pop("next_visit_assignee_id", None)
    assignee_name = row.pop("next_visit_assignee", None)
    row["next_visit"] = (
        {
            "starts_at": starts,
            "ends_at": ends,
            "kind": kind,
            "assignee": {"id": assignee_id, "display_name": assignee_name},
        }
        if starts is not None
        else None
    )
    return row


Lang = Annotated[str, Query(pattern="^(ru|en)$")]


async def board_filter(
    q: Annotated[str | None, Query(max_length=200)] = None,
    manager: str | None = None,
    assignee: str | None = None,
    mine: UUID | None = None,
    overdue: bool = False,
    visible_to: UUID | None = None,
    production_view: bool = False,
) -> BoardFilter:
    """The board's filters, as the gateway passes them: `visible_to` (a field role's own id)
    and `production_view` say what the caller may see; `mine` is the caller's id."""
    return BoardFilter(
        q=q,
        manager=manager,
        assignee=assignee,
        mine=str(mine) if mine else None,
        overdue=overdue,
        visible_to=str(visible_to) if visible_to else None,
        production_view=production_view,
    )


Filter = Annotated[BoardFilter, Depends(board_filter)]


@router.get("/board")
async def get_board(
    pool: PoolDep,
    where: Filter,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    lang: Lang = "ru",
) -> dict[str, Any]:
    """Columns: the newest pipeline version's stages, plus older versions' stages that still
    hold cards; a card's stage title is its own version's. `production_view`: only the
    orders production sees, each by its own pipeline."""
    counts, cards = await board_store.board(pool, limit=limit, where=where)
    pipelines = await pipeline_store.load(pool)
    await _with_forecast(pool, cards)
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for row in cards:
        by_stage.setdefault(row["stage"], []).append(_titled(row, pipelines, lang))
    return {
        "columns": [
            {
                "stage": key,
                "title": pipelines.title(key, lang),
                "count": counts.get(key, 0),
                "cards": by_stage.get(key, []),
            }
            for key in pipelines.ordered(counts)
        ]
    }


@router.get("/board/cards/{order_id}")
async def get_board_card(
    order_id: UUID, pool: PoolDep, where: Filter, lang: Lang = "ru"
) -> dict[str, Any]:
    """One card as the board with the same filters would show it; 404 when that board would
    not show it, whether the order does not exist or the filters leave it out."""
    row = await board_store.card(pool, str(order_id), where)
    if row is None:
        raise NotFound(f"order {order_id} not found")
    await _with_forecast(pool, [row])
    return _titled(row, await pipeline_store.load(pool), lang)


async def _with_forecast(pool: asyncpg.Pool, cards: list[dict[str, Any]]) -> None:
    """Each card's expected closing day and whether it passes the promised day (README,
    "Closing forecast"); a closed card, or one of a version not heard of yet, has none."""
    found = await forecasts(pool, cards, datetime.now(UTC))
    for card in cards:
        f = found.get(card["id"])
        card["forecast_close"] = f.expected_close if f else None
        card["forecast_late"] = f.late if f else False


def _titled(row: dict[str, Any], pipelines: Pipelines, lang: str) -> dict[str, Any]:
    card = _card_out(row)
    card["stage_title"] = pipelines.title(row["stage"], lang, row["pipeline_version"])
    return card


@router.get("/pipeline/open-orders")
async def get_open_orders(pool: PoolDep) -> dict[str, Any]:
    """`{versions: [{version, open_orders}]}`: counts only, no order named (for whoever
    publishes the pipeline, who may see no order at all)."""
    found = await pipeline_store.open_orders_by_version(pool)
    return {"versions": [{"version": v, "open_orders": n} for v, n in found.items()]}


@router.get("/access/{order_id}")
async def get_access(order_id: UUID, pool: PoolDep, user_id: UUID | None = None) -> dict[str, Any]:
    """What the gateway asks before serving a field role anything about an order."""
    return await access_store.access(pool, order_id, user_id)


@router.get("/changes")
async def get_changes(
    pool: PoolDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The realtime feed the gateway polls: `{head, changes: [{seq, order_id, type, stage, at,
    purpose}]}` (purpose: the file a media change is about, for the gateway to filter by).
    A `head` below `after` means the read models were rebuilt: start again from `head`."""
    return await changes_store.read(pool, after, limit)

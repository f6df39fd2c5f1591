"""The closing forecast for a set of cards: the read models in, the pure rule applied."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.projections.adapters import forecast_store, pipeline_store
from services.projections.domain.forecast import (
    Estimates,
    Forecast,
    OpenOrder,
    Settings,
    forecast,
)

SETTINGS = Settings()
# The board asks on every read; the medians move only when an order closes. Reading the
# closed orders' stays once per this many seconds keeps the board's cost with its cards, not
# with the history (at worst a card's forecast is this much behind a closing elsewhere).
ESTIMATES_TTL_S = 30.0
_cached: dict[int, tuple[float, Estimates]] = {}


async def estimates(pool: asyncpg.Pool) -> Estimates:
    key = id(pool)
    found = _cached.get(key)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    fresh = Estimates(await forecast_store.stays(pool, SETTINGS.last_n), SETTINGS)
    _cached[key] = (time.monotonic() + ESTIMATES_TTL_S, fresh)
    return fresh


def forget_estimates() -> None:
    """Tests that close orders and read at once."""
    _cached.clear()


async def forecasts(
    pool: asyncpg.Pool, cards: Sequence[dict[str, Any]], now: datetime
) -> dict[str, Forecast]:
    """By order id, for the cards given (rows with order id under `id` or `order_id`,
    stage, stage_entered_at, pipeline_version, promised_date): those with a forecast."""
    ids = [str(c.get("id") or c["order_id"]) for c in cards]
    if not ids:
        return {}
    plans = await pipeline_store.plans(pool)
    known = await estimates(pool)
    visits = await forecast_store.visit_ends(pool, ids)
    out: dict[str, Forecast] = {}
    for oid, card in zip(ids, cards, strict=True):
        order = OpenOrder(
            version=card["pipeline_version"],
            stage=card["stage"],
            stage_entered_at=card["stage_entered_at"],
            promised_date=card.get("promised_date"),
            visit_ends=visits.get(oid),
        )
        found = forecast(order, plans.get(order.version), known, now)
        if found is not None:
            out[oid] = found
    return out

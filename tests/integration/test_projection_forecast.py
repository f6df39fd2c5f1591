"""The closing forecast over real PostgreSQL projection tables: GET /reports/forecast and the
board cards' `forecast_close`/`forecast_late` (README, "Closing forecast").

History relative to now (the forecast is as of now): five orders closed last month, each a
day in every stage but production (ten days); three open orders whose expected days follow
from those medians by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from contracts.events import orders
from services.projections.application.forecasting import forget_estimates
from services.projections.bootstrap import Settings, build
from services.projections.domain.forecast import COMPANY_TZ
from tests.actors import DIRECTOR, service_client
from tests.conftest import Infra
from tests.integration.projections_world import (
    Order,
    deliver,
    new_order,
    pipeline_v1,
    published,
    user,
    visit,
)

NOW = datetime.now(UTC).replace(microsecond=0)
H = timedelta(hours=1)
PATH = ["intake", "measurement", "contract", "production", "shipment_prep", "delivery"]
STAY = {"production": 240 * H}  # every other stage: 24 h


@pytest.fixture
async def app(infra: Infra, database_url: str) -> AsyncIterator[FastAPI]:
    tag = uuid.uuid4().hex[:8]
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        db_schema=f"p_{tag}",
        reporting_schema=f"r_{tag}",
        analyst_role=f"analyst_{tag}",
    )
    built = build(settings)
    async with built.router.lifespan_context(built):
        forget_estimates()
        yield built


async def get(app: FastAPI, path: str, **params: str) -> Any:
    async with service_client(app, "http://p") as client:
        reply = await client.get(path, params=params, headers=DIRECTOR)
    assert reply.status_code == 200, reply.text
    return reply.json()


def walk(order: Order, stages: list[str], start: datetime) -> datetime:
    """Created at `start`, then through `stages` (after intake) at their typical stays."""
    order.created(start)
    at, here = start, "intake"
    for stage in stages:
        at += STAY.get(here, 24 * H)
        order.move(here, stage, at)
        here = stage
    return at


def local_day(at: datetime) -> str:
    return at.astimezone(COMPANY_TZ).date().isoformat()


async def test_open_orders_are_forecast_from_the_medians_of_closed_ones(app: FastAPI) -> None:
    pool = app.state.pool
    events = [published(1, pipeline_v1(), NOW - timedelta(days=90))]
    for i in range(5):  # closed: 6 x 24 h + 240 h + installation 24 h
        done = new_order(100 + i)
        walk(done, [*PATH[1:], "installation", "closed"], NOW - timedelta(days=60 - i))
        events += done.log

    # X: in production for 40 h, promised in 3 days: 240 - 40 = 200 h left, then shipment,
    # delivery and installation at 24 h each: entered + 240 h + 72 h = NOW + 272 h. Late.
    x = new_order(1)
    x.created(NOW - 200 * H)
    x.move("intake", "measurement", NOW - 150 * H)
    x.move("measurement", "contract", NOW - 100 * H)
    x.move("contract", "production", NOW - 40 * H)
    promised_x = (NOW + timedelta(days=3)).astimezone(COMPANY_TZ).date()
    x.add(orders.PromisedDateSet(order_id=x.id, promised_date=promised_x), NOW - 40 * H)
    # Y: in installation, its visit ends in 48 h: that is its closing. Promised in 10 days.
    y = new_order(2)
    y.created(NOW - 300 * H)
    y.move("intake", "installation", NOW - H)
    promised_y = (NOW + timedelta(days=10)).astimezone(COMPANY_TZ).date()
    y.add(orders.PromisedDateSet(order_id=y.id, promised_date=promised_y), NOW - H)
    installer = uuid.uuid4()
    booked, task, _ = visit(y.id, installer, NOW + 40 * H, 8, kind="installation")
    # Z: an hour into intake, nothing promised: entered + 24 x 6 + 240 h = NOW + 383 h.
    z = new_order(3)
    z.created(NOW - H)
    events += [*x.log, *y.log, *z.log, user(installer, "inst", "installer", NOW), booked, task]
    for env in events:
        assert await deliver(pool, env)

    body = await get(app, "/reports/forecast", lang="ru")
    assert body["report"] == "forecast"
    assert (body["orders"], body["late"], body["last_n"]) == (3, 1, 20)
    rows = {r["number"]: r for r in body["rows"]}
    assert body["rows"][0]["number"] == 1  # the late one first
    assert rows[1] == {
        "order_id": str(x.id),
        "number": 1,
        "title": "Шкаф-купе",
        "stage": "production",
        "stage_title": "Производство",
        "expected_close": local_day(NOW + 272 * H),
        "promised_date": promised_x.isoformat(),
        "late": True,
        "basis": "version",
    }
    assert rows[2]["expected_close"] == local_day(NOW + 48 * H)
    assert (rows[2]["late"], rows[2]["basis"]) == (False, "visit")
    assert rows[3]["expected_close"] == local_day(NOW + 383 * H)
    assert (rows[3]["promised_date"], rows[3]["late"]) == (None, False)

    board = await get(app, "/board")
    cards = {c["number"]: c for col in board["columns"] for c in col["cards"]}
    assert cards[1]["forecast_late"] is True
    assert cards[1]["forecast_close"] == local_day(NOW + 272 * H)
    assert cards[1]["promised_date"] == promised_x.isoformat()
    assert cards[2]["forecast_late"] is False
    assert cards[100]["forecast_close"] is None  # closed: nothing to forecast
    one = await get(app, f"/board/cards/{x.id}")
    assert (one["forecast_late"], one["forecast_close"]) == (True, local_day(NOW + 272 * H))


async def test_cleared_promise_is_no_longer_late(app: FastAPI) -> None:
    pool = app.state.pool
    o = new_order(7)
    o.created(NOW - 10 * H)
    o.add(orders.PromisedDateSet(order_id=o.id, promised_date=date(2020, 1, 1)), NOW - 9 * H)
    events = [published(1, pipeline_v1(), NOW - timedelta(days=1)), *o.log]
    for env in events:
        assert await deliver(pool, env)
    row = (await get(app, "/reports/forecast"))["rows"][0]
    assert (row["late"], row["basis"]) == (True, "stage_limit")  # no history: the limits
    o.add(orders.PromisedDateSet(order_id=o.id, promised_date=None), NOW - 8 * H)
    assert await deliver(pool, o.log[-1])
    row = (await get(app, "/reports/forecast"))["rows"][0]
    assert (row["promised_date"], row["late"]) == (None, False)

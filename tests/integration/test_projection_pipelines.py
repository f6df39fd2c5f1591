"""The projections follow each order's pipeline version (issue 10): board columns and their
order, Russian titles, production's view (board and access), report rows and the analysts'
schema, with version 2 adding `varnishing` after production and version 3 dropping `rework`
— and an order of a version whose PipelinePublished has not arrived yet (another partition).

The projections app runs for real (migrations, consumer, HTTP through ASGI); facts go through
the consumer's claim-then-apply path.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI

from contracts.envelope import Envelope
from services.projections.bootstrap import Settings, build
from tests.actors import DIRECTOR, service_client
from tests.conftest import Infra
from tests.integration.projections_world import (
    Order,
    deliver,
    new_order,
    pipeline_v1,
    pipeline_v2,
    pipeline_v3,
    published,
)

T0 = datetime.now(UTC) - timedelta(days=5)
H = timedelta(hours=1)
PERIOD = {"from": (T0 - H).isoformat(), "to": (T0 + 100 * H).isoformat()}
V1 = ["intake", "measurement", "contract", "production", "shipment_prep", "delivery"]
V1 += ["installation", "rework", "closed", "cancelled"]


@pytest.fixture
async def app(infra: Infra, database_url: str) -> AsyncIterator[tuple[FastAPI, str]]:
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
        yield built, tag


async def get(app: FastAPI, path: str, **params: str) -> dict[str, Any]:
    """As the gateway asks on a director's behalf (it filters per role; projections do not)."""
    async with service_client(app, "http://p") as client:
        reply = await client.get(path, params=params, headers=DIRECTOR)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def walk(order: Order, stages: list[str], start: datetime) -> list[Envelope]:
    """OrderCreated was logged; move along `stages` an hour apart."""
    for i, (a, b) in enumerate(itertools.pairwise(stages)):
        order.move(a, b, start + (i + 1) * H)
    return order.log


async def feed(pool: asyncpg.Pool, events: list[Envelope]) -> None:
    for env in events:
        assert await deliver(pool, env)


def columns(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["stage"]: c for c in board["columns"]}


async def production_visible(app: FastAPI, order: Order) -> bool:
    answer = await get(app, f"/access/{order.id}", user_id=str(uuid.uuid4()))
    assert answer["exists"]
    return bool(answer["production_visible"])


async def test_the_board_reports_and_production_follow_each_orders_pipeline(
    app: tuple[FastAPI, str],
) -> None:
    built, tag = app
    pool = built.state.pool
    await feed(pool, [published(1, pipeline_v1(), T0), published(2, pipeline_v2(), T0)])
    await feed(pool, [published(3, pipeline_v3(), T0)])
    # v1: one order in rework (a stage v3 dropped), one through it, one still in contract;
    # v2 and v3: orders in varnishing, and one in production
    old_rework, old_contract = new_order(501), new_order(502)
    v2_varnish, v3_varnish, v3_prod = new_order(503), new_order(504), new_order(505)
    old_closed = new_order(506)
    old_closed.created(T0)
    old_rework.created(T0)
    old_contract.created(T0)
    v2_varnish.created(T0, pipeline_version=2)
    v3_varnish.created(T0, pipeline_version=3)
    v3_prod.created(T0, pipeline_version=3)
    to_production = ["intake", "measurement", "contract", "production"]
    await feed(pool, walk(old_rework, [*V1[:7], "rework"], T0))
    await feed(pool, walk(old_contract, V1[:3], T0))
    await feed(pool, walk(v2_varnish, [*to_production, "varnishing"], T0))
    await feed(pool, walk(v3_varnish, [*to_production, "varnishing"], T0))
    await feed(pool, walk(v3_prod, to_production, T0))
    await feed(pool, walk(old_closed, V1[:9], T0))

    board = await get(built, "/board")
    assert [c["stage"] for c in board["columns"]] == [
        "intake",
        "measurement",
        "contract",
        "production",
        "varnishing",  # v3's new stage, in its place
        "shipment_prep",
        "delivery",
        "installation",
        "rework",  # v3 dropped it; a v1 order is still there: after installation, as in v1
        "closed",
        "cancelled",
    ]
    by_stage = columns(board)
    assert by_stage["varnishing"]["title"] == "Лакировка"
    assert by_stage["rework"]["title"] == "Доработка"
    assert by_stage["production"]["title"] == "Производство"
    assert (by_stage["varnishing"]["count"], by_stage["rework"]["count"]) == (2, 1)
    assert {c["number"] for c in by_stage["varnishing"]["cards"]} == {503, 504}
    assert {c["stage_title"] for c in by_stage["varnishing"]["cards"]} == {"Лакировка"}
    assert by_stage["rework"]["cards"][0]["stage_title"] == "Доработка"
    english = columns(await get(built, "/board", lang="en"))
    assert english["varnishing"]["title"] == "Varnishing"

    # Production: varnishing comes after production in v2 and v3, so it is theirs; contract is not.
    theirs = columns(await get(built, "/board", production_view="true"))
    assert {k: c["count"] for k, c in theirs.items() if c["count"]} == {
        "production": 1,
        "varnishing": 2,
        "rework": 1,
        "closed": 1,
    }
    assert await production_visible(built, v3_varnish)
    assert await production_visible(built, old_rework)
    assert not await production_visible(built, old_contract)

    # The pipeline preview's count: open orders (stage not terminal in their own version) per
    # version; v1's closed order is not open.
    open_orders = await get(built, "/pipeline/open-orders")
    assert open_orders == {
        "versions": [
            {"version": 1, "open_orders": 2},
            {"version": 2, "open_orders": 1},
            {"version": 3, "open_orders": 2},
        ]
    }

    funnel = {r["stage"]: r for r in (await get(built, "/reports/funnel", **PERIOD))["rows"]}
    assert list(funnel)[3:6] == ["production", "varnishing", "shipment_prep"]
    # each order advances along its own version: v1's production → shipment_prep, v2's and
    # v3's production → varnishing
    assert (funnel["production"]["entered"], funnel["production"]["advanced"]) == (5, 4)
    assert (funnel["varnishing"]["entered"], funnel["varnishing"]["title"]) == (2, "Varnishing")
    assert (funnel["installation"]["entered"], funnel["installation"]["advanced"]) == (2, 2)
    # a removed stage keeps its old orders' rows, in its old place
    assert (funnel["rework"]["entered"], funnel["rework"]["advanced"]) == (2, 1)
    assert list(funnel)[-3:] == ["installation", "rework", "closed"]
    assert "cancelled" not in funnel
    durations = await get(built, "/reports/stage-durations", lang="ru", **PERIOD)
    stays = {r["stage"]: r for r in durations["rows"]}
    assert (stays["production"]["count"], stays["varnishing"]["title"]) == (4, "Лакировка")
    assert (stays["varnishing"]["count"], stays["rework"]["count"]) == (0, 1)

    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL ROLE analyst_{tag}")
        versions = await conn.fetch(
            f"SELECT pipeline_version, count(*) AS n FROM r_{tag}.pipeline_stages "
            "GROUP BY 1 ORDER BY 1"
        )
        assert [(r["pipeline_version"], r["n"]) for r in versions] == [(1, 10), (2, 11), (3, 10)]
        titled = await conn.fetch(
            f"SELECT o.number, p.title_ru FROM r_{tag}.orders o JOIN r_{tag}.pipeline_stages p "
            "ON p.pipeline_version = o.pipeline_version AND p.stage = o.stage ORDER BY o.number"
        )
        assert [(r["number"], r["title_ru"]) for r in titled] == [
            (501, "Доработка"),
            (502, "Заключение сделки"),
            (503, "Лакировка"),
            (504, "Лакировка"),
            (505, "Производство"),
            (506, "Закрытие"),
        ]


async def test_an_order_of_a_version_not_yet_heard_of_is_shown_and_follows_it_when_it_arrives(
    app: tuple[FastAPI, str],
) -> None:
    built, _ = app
    pool = built.state.pool
    await feed(pool, [published(1, pipeline_v1(), T0)])
    order = new_order(601)
    order.created(T0, pipeline_version=3)
    # The order's partition ran ahead of the pipeline's: v2 and v3 are not here yet.
    await feed(
        pool, walk(order, ["intake", "measurement", "contract", "production", "varnishing"], T0)
    )

    board = await get(built, "/board")
    keys = [c["stage"] for c in board["columns"]]
    assert keys == [*V1, "varnishing"]  # the card is kept, its column last, for now
    waiting = columns(board)["varnishing"]
    assert (waiting["title"], waiting["count"]) == ("varnishing", 1)
    assert waiting["cards"][0]["stage_title"] == "varnishing"
    assert not await production_visible(built, order)  # fails closed until v3 is known
    theirs = columns(await get(built, "/board", production_view="true"))
    assert "varnishing" not in theirs

    await feed(pool, [published(2, pipeline_v2(), T0 + H), published(3, pipeline_v3(), T0 + H)])
    board = await get(built, "/board")
    keys = [c["stage"] for c in board["columns"]]
    assert keys.index("varnishing") == keys.index("production") + 1
    assert "rework" not in keys  # v3 has none and no card is there
    column = columns(board)["varnishing"]
    assert (column["title"], column["cards"][0]["stage_title"]) == ("Лакировка", "Лакировка")
    assert await production_visible(built, order)
    theirs = columns(await get(built, "/board", production_view="true"))
    assert [c["number"] for c in theirs["varnishing"]["cards"]] == [601]

"""Reports over a seeded history with explicit times, checked against figures computed by
hand; the analysts' `reporting` schema and its read-only role; the lag metric.

The projections app runs for real (migrations, consumer, HTTP through ASGI); the history is
applied through the consumer's claim-then-apply path so the times are exactly ours.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from contracts.events import orders, scheduling
from services.projections.adapters import reporting
from services.projections.bootstrap import Settings, build
from tests.actors import DIRECTOR, service_client
from tests.conftest import Infra
from tests.integration.projections_world import (
    deliver,
    envelope,
    new_order,
    pipeline_v1,
    published,
    user,
    visit,
)

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # a Monday
# Monday 00:00 to the next Monday 00:00 in Moscow: five weekdays, 40 working hours.
PERIOD = {"from": "2024-03-03T21:00:00+00:00", "to": "2024-03-10T21:00:00+00:00"}
H = timedelta(hours=1)


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


async def seed(pool: asyncpg.Pool) -> dict[str, uuid.UUID]:
    a, b, c, d = (new_order(n) for n in (11, 12, 13, 14))
    a.created(T0)
    a.move("intake", "measurement", T0 + 2 * H)
    a.move("measurement", "contract", T0 + 26 * H)
    a.move("contract", "production", T0 + 50 * H)
    b.created(T0 + H)
    b.move("intake", "measurement", T0 + 5 * H)
    b.add(
        orders.StageChanged(
            order_id=b.id,
            from_stage="measurement",
            to_stage="cancelled",
            direction="cancel",
            reason="дорого",
        ),
        T0 + 30 * H,
    )
    c.created(T0 + 2 * H)
    c.move("intake", "measurement", T0 + 12 * H)
    d.created(datetime(2024, 3, 1, 9, tzinfo=UTC))
    d.move("intake", "measurement", T0 + H)  # 73 hours in intake, left inside the period
    # The stages reports list are the pipeline's: version 1, as the orders service publishes
    # it at its first start.
    events = [published(1, pipeline_v1(), T0), *a.log, *b.log, *c.log, *d.log]

    m1, m2, i1 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    events += [
        user(m1, f"m1{m1.hex[:6]}", "measurer", T0),
        user(m2, f"m2{m2.hex[:6]}", "measurer", T0),
    ]
    events.append(user(i1, f"i1{i1.hex[:6]}", "installer", T0))
    v1, t1, task1 = visit(a.id, m1, T0 + 3 * H, 2)
    v2, t2, _ = visit(c.id, m1, T0 + 27 * H, 3)
    v3, t3, _ = visit(b.id, m2, T0 + 4 * H, 4)
    v3_id = uuid.UUID(v3.data["visit_id"])
    cancel = scheduling.VisitCancelled(
        visit_id=v3_id, order_id=b.id, kind="measurement", task_id=uuid.UUID(v3.data["task_id"])
    )
    v4, t4, _ = visit(d.id, m2, datetime(2024, 3, 12, 9, tzinfo=UTC), 2)  # after the period
    v5, t5, _ = visit(a.id, i1, datetime(2024, 3, 9, 8, tzinfo=UTC), 8, kind="installation")
    done = scheduling.TaskCompleted(
        task_id=task1, order_id=a.id, kind="measurement", completed_by=m1
    )
    events += [v1, t1, v2, t2, v3, t3, envelope(cancel, f"visit-{v3_id}", 2, T0 + 5 * H)]
    events += [v4, t4, v5, t5, envelope(done, f"task-{task1}", 2, T0 + 6 * H)]
    # overdue alerts: C is still in measurement (overdue now); B has left intake since
    for order, stage, entered in ((c, "measurement", T0 + 12 * H), (b, "intake", T0 + H)):
        alert = scheduling.OrderOverdue(
            order_id=order.id, stage=stage, entered_at=entered, limit_hours=24
        )
        events.append(envelope(alert, f"timer-{order.id}", 1, entered + 24 * H))
    for env in events:
        assert await deliver(pool, env)
    return {
        "a": a.id,
        "b": b.id,
        "c": c.id,
        "d": d.id,
        "m1": m1,
        "m2": m2,
        "i1": i1,
        "t2": uuid.UUID(t2.data["task_id"]),
        "t5": uuid.UUID(t5.data["task_id"]),
    }


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


async def test_reports_match_figures_computed_by_hand(app: tuple[FastAPI, str]) -> None:
    built, _ = app
    ids = await seed(built.state.pool)

    funnel = by((await get(built, "/reports/funnel", **PERIOD))["rows"], "stage")
    assert [
        (funnel[s]["entered"], funnel[s]["advanced"], funnel[s]["conversion"])
        for s in ("intake", "measurement", "contract", "production", "shipment_prep")
    ] == [
        (3, 3, 1.0),  # A, B, C entered (D before the period); all went on
        (4, 1, 0.25),  # A, B, C, D; only A reached contract (B was cancelled)
        (1, 1, 1.0),
        (1, 0, 0.0),
        (0, 0, None),
    ]
    assert "cancelled" not in funnel

    durations = by((await get(built, "/reports/stage-durations", **PERIOD))["rows"], "stage")
    # intake stays that ended in the period: 2, 4, 10, 73 hours
    assert (durations["intake"]["count"], durations["intake"]["median_hours"]) == (4, 7.0)
    assert durations["intake"]["p90_hours"] == pytest.approx(54.1)  # 10 + 0.7 * (73 - 10)
    assert (durations["measurement"]["count"], durations["measurement"]["median_hours"]) == (
        2,
        24.5,
    )
    assert durations["measurement"]["p90_hours"] == pytest.approx(24.9)
    assert (durations["contract"]["count"], durations["contract"]["p90_hours"]) == (1, 24.0)
    assert durations["closed"]["count"] == 0

    workload = by((await get(built, "/reports/workload", **PERIOD))["rows"], "id")
    m1, m2, i1 = (workload[str(ids[k])] for k in ("m1", "m2", "i1"))
    assert (m1["visits"], m1["booked_hours"], m1["working_hours"], m1["utilisation"]) == (
        2,
        5.0,
        40.0,
        0.125,
    )
    assert (m2["visits"], m2["booked_hours"], m2["utilisation"]) == (
        0,
        0.0,
        0.0,
    )  # cancelled, later
    assert (i1["visits"], i1["booked_hours"], i1["utilisation"]) == (1, 8.0, 0.2)

    overdue = await get(built, "/reports/overdue")
    tasks = {r["task_id"] for r in overdue["rows"] if r["item"] == "task"}
    late_orders = {r["order_id"] for r in overdue["rows"] if r["item"] == "order"}
    assert str(ids["t2"]) in tasks  # open, due 2024-03-05
    assert str(ids["t5"]) in tasks
    assert late_orders == {str(ids["c"])}


async def test_analysts_read_the_reporting_views_and_nothing_else(app: tuple[FastAPI, str]) -> None:
    built, tag = app
    await seed(built.state.pool)
    async with built.state.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL ROLE analyst_{tag}")
        rows = await conn.fetch(f"SELECT number, stage, amount FROM r_{tag}.orders ORDER BY number")
        assert [r["number"] for r in rows] == [11, 12, 13, 14]
        assert (
            await conn.fetchval(f"SELECT count(*) FROM r_{tag}.stage_intervals") == 11
        )  # 4 + 3 + 2 + 2
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(f"SELECT * FROM p_{tag}.board_cards")


async def test_every_reporting_view_and_column_says_what_it_holds(
    app: tuple[FastAPI, str],
) -> None:
    """Analysts read the descriptions in their SQL client (`\\d+`): a view or a column added
    without one fails here (services/projections/adapters/reporting.py COMMENTS)."""
    built, tag = app
    rows = await built.state.pool.fetch(
        "SELECT c.relname AS view, obj_description(c.oid, 'pg_class') AS about, "
        "a.attname AS col, col_description(c.oid, a.attnum) AS text "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE n.nspname = $1 AND c.relkind = 'v' ORDER BY 1, a.attnum",
        f"r_{tag}",
    )
    views = {r["view"] for r in rows}
    assert views == set(reporting.VIEWS)
    assert [r["view"] for r in rows if not r["about"]] == []
    assert [f"{r['view']}.{r['col']}" for r in rows if not r["text"]] == []
    # A text with an apostrophe arrives whole (COMMENT takes a literal, not a parameter).
    assert any(r["text"] == "The order's number as people say it (№ 123)." for r in rows)


async def test_projection_lag_is_a_metric(app: tuple[FastAPI, str]) -> None:
    built, _ = app
    order = new_order(77)
    await deliver(built.state.pool, order.created(datetime.now(UTC) - timedelta(seconds=3)))
    transport = httpx.ASGITransport(app=built)
    async with httpx.AsyncClient(transport=transport, base_url="http://p") as client:
        text = (await client.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("projection_lag_seconds "))
    assert float(line.split()[1]) >= 3
    assert "projection_lag_events" in text


async def test_each_number_drills_down_to_the_orders_behind_it(app: tuple[FastAPI, str]) -> None:
    """The dashboard's drill-down: the orders behind a number are as many as the number, and
    the ones the hand-computed figures above name."""
    built, _ = app
    ids = await seed(built.state.pool)

    async def behind(name: str, key: str, **params: str) -> list[str]:
        body = await get(built, f"/reports/{name}/orders", key=key, **params)
        assert (body["report"], body["key"]) == (name, key)
        return [row["order_id"] for row in body["rows"]]

    def of(*keys: str) -> set[str]:
        return {str(ids[k]) for k in keys}

    assert set(await behind("funnel", "intake", **PERIOD)) == of("a", "b", "c")
    assert set(await behind("funnel", "measurement", **PERIOD)) == of("a", "b", "c", "d")
    assert await behind("funnel", "shipment_prep", **PERIOD) == []
    assert set(await behind("stage-durations", "intake", **PERIOD)) == of("a", "b", "c", "d")
    assert set(await behind("workload", str(ids["m1"]), **PERIOD)) == of("a", "c")
    assert await behind("workload", str(ids["m2"]), **PERIOD) == []  # cancelled, later
    assert set(await behind("overdue", "order")) == of("c")
    assert of("c", "a") <= set(await behind("overdue", "task"))  # t2 and t5, still open
    # Each row is what the board shows of the order, its stage titled as asked.
    body = await get(built, "/reports/funnel/orders", key="contract", lang="ru", **PERIOD)
    (row,) = body["rows"]
    assert (row["order_id"], row["number"], row["stage"]) == (str(ids["a"]), 11, "production")
    assert row["stage_title"] != "production"

    async with service_client(built, "http://p") as client:
        for params in ({"key": "nobody"}, {"key": "late"}):
            name = "workload" if params["key"] == "nobody" else "overdue"
            reply = await client.get(f"/reports/{name}/orders", params=params, headers=DIRECTOR)
            assert reply.status_code == 422, reply.text

"""Report API of the projections (the gateway checks the role and renders CSV).

Every report answers `{"report", "from", "to", "rows": [...]}` so that one CSV writer in the
gateway serves them all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from contracts.api.common import MomentOrDay
from plumbing.errors import Invalid
from plumbing.state import PoolDep
from services.projections.adapters import forecast_store, pipeline_store, reports_store
from services.projections.application.forecasting import SETTINGS, forecasts
from services.projections.domain.reports import (
    HOURS_PER_WEEKDAY,
    Period,
    funnel_stages,
    period,
    ratio,
    report_stages,
    working_hours,
)

router = APIRouter(prefix="/reports")
From = Annotated[MomentOrDay | None, Query(alias="from")]
To = Annotated[MomentOrDay | None, Query(alias="to")]
# Reports have always titled stages in English; a client may ask for Russian.
Lang = Annotated[str, Query(pattern="^(ru|en)$")]


def _answer(name: str, p: Period, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"report": name, "from": p.start, "to": p.end, **extra, "rows": rows}


@router.get("/funnel")
async def funnel(
    pool: PoolDep, start: From = None, end: To = None, lang: Lang = "en"
) -> dict[str, Any]:
    p = period(start, end, datetime.now(UTC))
    pipelines = await pipeline_store.load(pool)
    found = await reports_store.funnel(pool, p, pipelines.every_stage())
    stages = funnel_stages(pipelines, found)
    rows = []
    for i, stage in enumerate(stages):
        entered, advanced = found.get(stage, (0, 0))
        nxt = stages[i + 1] if i + 1 < len(stages) else None
        rows.append(
            {
                "stage": stage,
                "title": pipelines.title(stage, lang),
                "entered": entered,
                "advanced": advanced if nxt else 0,
                "next_stage": nxt,
                "conversion": ratio(advanced, entered) if nxt else None,
            }
        )
    return _answer("funnel", p, rows)


@router.get("/stage-durations")
async def stage_durations(
    pool: PoolDep, start: From = None, end: To = None, lang: Lang = "en"
) -> dict[str, Any]:
    p = period(start, end, datetime.now(UTC))
    pipelines = await pipeline_store.load(pool)
    found = await reports_store.stage_durations(pool, p)
    rows = []
    for stage in report_stages(pipelines, found):
        row = found.get(stage, {})
        median, p90 = row.get("median_s"), row.get("p90_s")
        rows.append(
            {
                "stage": stage,
                "title": pipelines.title(stage, lang),
                "count": row.get("n", 0),
                "median_hours": None if median is None else round(median / 3600, 3),
                "p90_hours": None if p90 is None else round(p90 / 3600, 3),
            }
        )
    return _answer("stage-durations", p, rows)


@router.get("/overdue")
async def overdue(
    pool: PoolDep, start: From = None, end: To = None, lang: Lang = "en"
) -> dict[str, Any]:
    """As of now (or of `to`): open tasks past due, orders past their stage limit (each
    stage titled by its order's own pipeline version)."""
    now = datetime.now(UTC)
    p = period(start, end, now)
    tasks = await reports_store.overdue_tasks(pool, p.end)
    orders = await reports_store.overdue_orders(pool)
    pipelines = await pipeline_store.load(pool)
    for o in orders:
        o["stage_title"] = pipelines.title(o["stage"], lang, o.pop("pipeline_version"))
    rows = [{"item": "task", **t} for t in tasks] + [{"item": "order", **o} for o in orders]
    return _answer("overdue", p, rows, tasks=len(tasks), orders=len(orders))


@router.get("/workload")
async def workload(pool: PoolDep, start: From = None, end: To = None) -> dict[str, Any]:
    p = period(start, end, datetime.now(UTC))
    capacity = working_hours(p)
    rows = []
    for member in await reports_store.workload(pool, p):
        hours = round(float(member["booked_hours"]), 3)
        rows.append(
            {
                **member,
                "booked_hours": hours,
                "on_site_hours": round(float(member["on_site_hours"]), 3),
                "working_hours": capacity,
                "utilisation": ratio(hours, capacity),
            }
        )
    return _answer("workload", p, rows, assumed_hours_per_weekday=HOURS_PER_WEEKDAY)


# What a drill-down key names, per report: a stage (funnel, time in stage), a crew member's
# id (workload), or which overdue items ("task" or "order").
OVERDUE_KEYS = ("task", "order")


@router.get("/{name}/orders")
async def orders_behind(
    name: Literal["funnel", "stage-durations", "overdue", "workload"],
    pool: PoolDep,
    key: Annotated[str, Query(min_length=1, max_length=100)],
    start: From = None,
    end: To = None,
    lang: Lang = "en",
) -> dict[str, Any]:
    """The orders behind one number of a report (the dashboard's drill-down), over the same
    period the report was asked for; each with its number, title and stage now."""
    p = period(start, end, datetime.now(UTC))
    if name == "funnel":
        found = await reports_store.funnel_orders(pool, p, key)
    elif name == "stage-durations":
        found = await reports_store.duration_orders(pool, p, key)
    elif name == "workload":
        found = await reports_store.workload_orders(pool, p, _member(key))
    else:
        found = await _overdue_orders(pool, p, key)
    pipelines = await pipeline_store.load(pool)
    rows = [
        {
            "order_id": o["order_id"],
            "number": o["number"],
            "title": o["title"],
            "stage": o["stage"],
            "stage_title": pipelines.title(o["stage"], lang, o["pipeline_version"]),
            "at": o["at"],
        }
        for o in found
    ]
    return {"report": name, "key": key, "from": p.start, "to": p.end, "rows": rows}


def _member(key: str) -> UUID:
    try:
        return UUID(key)
    except ValueError:
        raise Invalid("key: a crew member's id is expected", code="invalid_input") from None


async def _overdue_orders(pool: PoolDep, p: Period, key: str) -> list[dict[str, Any]]:
    if key not in OVERDUE_KEYS:
        raise Invalid(f"key: one of {', '.join(OVERDUE_KEYS)}", code="invalid_input")
    if key == "order":
        late = await reports_store.overdue_orders(pool)
        return [{**o, "at": o["stage_entered_at"]} for o in late]
    return await reports_store.overdue_task_orders(pool, p.end)


@router.get("/forecast")
async def forecast(
    pool: PoolDep, start: From = None, end: To = None, lang: Lang = "en"
) -> dict[str, Any]:
    """Every open order's expected closing day, as of now (`from`/`to` are taken for the
    reports' common shape and do not narrow it: an open order is open whatever the period).
    `late`: the forecast passes the day promised to the customer. `basis`: the weakest
    estimate its path used (README, "Closing forecast")."""
    now = datetime.now(UTC)
    p = period(start, end, now)
    orders = await forecast_store.open_orders(pool)
    found = await forecasts(pool, orders, now)
    pipelines = await pipeline_store.load(pool)
    rows = []
    for o in orders:
        f = found.get(o["order_id"])
        rows.append(
            {
                "order_id": o["order_id"],
                "number": o["number"],
                "title": o["title"],
                "stage": o["stage"],
                "stage_title": pipelines.title(o["stage"], lang, o["pipeline_version"]),
                "expected_close": f.expected_close.isoformat() if f else None,
                "promised_date": o["promised_date"].isoformat() if o["promised_date"] else None,
                "late": f.late if f else False,
                "basis": f.basis if f else None,
            }
        )
    # The late ones first, then by the day they are expected to close.
    rows.sort(key=lambda r: (not r["late"], r["expected_close"] or "9999", r["number"]))
    return _answer(
        "forecast",
        p,
        rows,
        orders=len(rows),
        late=sum(1 for r in rows if r["late"]),
        last_n=SETTINGS.last_n,
    )

"""Reports (API.md, Board and reports): managers and directors only; JSON or CSV.

The projections compute them; every report answers `{"report", "from", "to", "rows"}`, so one
CSV writer serves all four. What leaves is the caller's audience's model of it
(contracts/api/reports.py), before JSON and CSV alike.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from contracts.api.audience import audience_of
from contracts.api.common import MomentOrDay
from contracts.api.errors import errors
from contracts.api.reports import REPORT, REPORT_ORDERS, Report, ReportOrders
from gateway.domain.users import User
from gateway.entrypoints.deps import Needs, UpstreamsDep, caller_of
from gateway.entrypoints.typed import NO_NUL, relayed

router = APIRouter(prefix="/api/v1/reports")

Reader = Annotated[User, Depends(Needs("reports.read"))]
Name = Literal["funnel", "stage-durations", "overdue", "workload", "forecast"]
# The reports whose numbers stand for orders one can list (the forecast's rows are orders).
Counted = Literal["funnel", "stage-durations", "overdue", "workload"]
Lang = Literal["ru", "en"]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the rows"}
}


def to_csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


BOUND = (
    "An RFC 3339 date-time, or a day (YYYY-MM-DD) taken whole in the company's time zone "
    "(Europe/Moscow): `from=2026-11-01&to=2026-11-30` is November, the 30th included."
)

# Reports have always titled stages in English; the dashboard asks in the user's language.
LANG = "The language of the stage titles (`title`, `stage_title`)."


@router.get("/{name}", response_model=Report, responses={**CSV, **errors(401, 403, 422, 503)})
async def report(
    name: Name,
    user: Reader,
    upstreams: UpstreamsDep,
    start: Annotated[MomentOrDay | None, Query(alias="from", description=BOUND)] = None,
    end: Annotated[MomentOrDay | None, Query(alias="to", description=BOUND)] = None,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    lang: Annotated[Lang, Query(description=LANG)] = "en",
) -> Response:
    params = {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v}
    if name != "workload":  # the one report with no stage titles
        params["lang"] = lang
    reply = await upstreams.call(
        "projections", "GET", f"/reports/{name}", caller_of(user), params=params
    )
    if fmt == "csv":
        body: dict[str, Any] = REPORT.show(reply.body, audience_of(user.role))
        return Response(
            to_csv(body["rows"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return relayed(reply, REPORT, user)


KEY = (
    "Which number: a stage's key (funnel: the orders that entered it; stage-durations: those "
    "whose stay in it ended), a crew member's id (workload: their booked visits), or `task` / "
    "`order` (overdue: orders with a task past due / past their stage limit)."
)


@router.get("/{name}/orders", response_model=ReportOrders, responses=errors(401, 403, 422, 503))
async def orders_behind(
    name: Counted,
    user: Reader,
    upstreams: UpstreamsDep,
    key: Annotated[str, Query(min_length=1, max_length=100, pattern=NO_NUL, description=KEY)],
    start: Annotated[MomentOrDay | None, Query(alias="from", description=BOUND)] = None,
    end: Annotated[MomentOrDay | None, Query(alias="to", description=BOUND)] = None,
    lang: Annotated[Lang, Query(description=LANG)] = "en",
) -> Response:
    """The orders behind one number of a report (the dashboard's drill-down), each with a link
    target (its id), its number, title and stage now."""
    params = {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v}
    reply = await upstreams.call(
        "projections",
        "GET",
        f"/reports/{name}/orders",
        caller_of(user),
        params={**params, "key": key, "lang": lang},
    )
    return relayed(reply, REPORT_ORDERS, user)

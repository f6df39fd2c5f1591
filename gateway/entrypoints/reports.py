"""Reports (API.md, Board and reports): managers, directors and admins only; JSON or CSV.

The projections compute them; every report answers `{"report", "from", "to", "rows"}`, so one
CSV writer serves all four. Role filtering still goes through strip_commercial (the one place
that removes commercial data), before JSON and CSV alike.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from gateway.domain.users import User
from gateway.domain.visibility import strip_commercial
from gateway.entrypoints.deps import Needs, UpstreamsDep, caller_of

router = APIRouter(prefix="/api/v1/reports")

Reader = Annotated[User, Depends(Needs("reports.read"))]
Name = Literal["funnel", "stage-durations", "overdue", "workload"]


def to_csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@router.get("/{name}")
async def report(
    name: Name,
    user: Reader,
    upstreams: UpstreamsDep,
    start: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=64)] = None,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Any:
    params = {k: v for k, v in (("from", start), ("to", end)) if v}
    reply = await upstreams.call(
        "projections", "GET", f"/reports/{name}", caller_of(user), params=params
    )
    body: dict[str, Any] = strip_commercial(reply.body, user.role)
    if fmt == "csv":
        return Response(
            to_csv(body["rows"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return body

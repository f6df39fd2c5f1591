"""Reports (API.md, Board and reports): commercial audience only (the route refuses the
others), each `{report, from, to, rows, ...}`; CSV is made from the same rows."""

from __future__ import annotations

from pydantic import Field

from contracts.api.audience import Shown, Views
from contracts.api.common import Timestamp

# A report row is flat (one CSV line): every cell a scalar.
Cell = str | int | float | bool | None


class Report(Shown):
    """Rows per report: funnel {stage, title, entered, advanced, next_stage, conversion};
    stage-durations {stage, title, count, median_hours, p90_hours}; overdue (tasks past due,
    orders past their stage limit, with `tasks` and `orders` totals); workload {id, username,
    display_name, role, visits, booked_hours, working_hours, utilisation}; forecast (every open
    order, as of now) {order_id, number, title, stage, stage_title, expected_close (YYYY-MM-DD),
    promised_date, late, basis: version | all_versions | stage_limit | default | visit}, with
    `orders`, `late` totals and `last_n` (closed orders per stage whose median is taken)."""

    report: str
    from_: Timestamp | None = Field(default=None, alias="from")
    to: Timestamp | None = None
    rows: list[dict[str, Cell]]
    tasks: int | None = None
    orders: int | None = None
    assumed_hours_per_weekday: float | None = None
    late: int | None = None
    last_n: int | None = None


REPORT = Views.of(Report)

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
    display_name, role, visits, booked_hours, on_site_hours (check-in to check-out of visits
    checked in within the period), on_site_visits, working_hours, utilisation}; forecast (every open
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


class ReportOrder(Shown):
    """One order behind a report's number: what it is now, and the moment that counted it
    (entered the stage, left it, the first visit, the task's due time, entered the stage it
    is late in). Nothing commercial: the number and title are what the board shows."""

    order_id: str
    number: int
    title: str
    stage: str
    stage_title: str
    at: Timestamp | None = None


class ReportOrders(Shown):
    """The drill-down: the orders behind one number of a report over the same period. `key`
    names the number: a stage (funnel: entered it; stage-durations: left it), a crew member's
    id (workload: their booked visits), or `task` / `order` (overdue)."""

    report: str
    key: str
    from_: Timestamp | None = Field(default=None, alias="from")
    to: Timestamp | None = None
    rows: list[ReportOrder]


REPORT_ORDERS = Views.of(ReportOrders)

"""The report queries, over stage_intervals, order_tasks, order_visits and the board."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from services.projections.domain.reports import CREW_ROLES, NOT_IN_FUNNEL, Period

SECONDS = "extract(epoch FROM left_at - entered_at)"


# Each stay with the position of its stage in its order's own pipeline version; for an order
# whose version has not arrived yet, the position in $3 (every known stage in board order).
# The refusal ($4) is left out: moving to it is no step forward.
RANKED = (
    "SELECT s.order_id, s.stage, s.entered_at, CASE WHEN EXISTS (SELECT 1 FROM pipeline_stages "
    "v WHERE v.version = c.pipeline_version) THEN ps.position "
    "ELSE array_position($3::text[], s.stage) END AS pos FROM stage_intervals s "
    "LEFT JOIN board_cards c ON c.order_id = s.order_id "
    "LEFT JOIN pipeline_stages ps ON ps.version = c.pipeline_version AND ps.key = s.stage "
    "WHERE s.entered_at < $2 AND s.stage <> $4"
)


async def funnel(
    pool: asyncpg.Pool, p: Period, known_order: list[str]
) -> dict[str, tuple[int, int]]:
    """Per stage: orders that entered it in the period, and how many of those went on to a
    later stage of their own pipeline before the period's end (installation may skip rework,
    so "the next stage" means any later one)."""
    rows = await pool.fetch(
        f"WITH ranked AS ({RANKED}), entered AS (SELECT stage, order_id, "
        "min(entered_at) AS first_at, max(pos) AS pos FROM ranked WHERE entered_at >= $1 "
        "GROUP BY 1, 2) "
        "SELECT e.stage, count(*) AS entered, count(*) FILTER (WHERE EXISTS ("
        "SELECT 1 FROM ranked r WHERE r.order_id = e.order_id "
        "AND r.entered_at >= e.first_at AND r.pos > e.pos)) AS advanced "
        "FROM entered e GROUP BY e.stage",
        p.start,
        p.end,
        known_order,
        NOT_IN_FUNNEL,
    )
    return {r["stage"]: (r["entered"], r["advanced"]) for r in rows}


async def stage_durations(pool: asyncpg.Pool, p: Period) -> dict[str, dict[str, Any]]:
    """Time spent in each stage, over the stays that ended in the period."""
    rows = await pool.fetch(
        f"SELECT stage, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY {SECONDS}) "
        f"AS median_s, percentile_cont(0.9) WITHIN GROUP (ORDER BY {SECONDS}) AS p90_s "
        "FROM stage_intervals WHERE left_at >= $1 AND left_at < $2 GROUP BY stage",
        p.start,
        p.end,
    )
    return {r["stage"]: dict(r) for r in rows}


async def overdue_tasks(pool: asyncpg.Pool, at: datetime) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT t.task_id::text AS task_id, t.order_id::text AS order_id, b.number, "
        "t.kind AS task_kind, t.title, t.assignee_id::text AS assignee_id, "
        "u.display_name AS assignee, "
        "t.assignee_role, t.due_at FROM order_tasks t "
        "LEFT JOIN board_cards b ON b.order_id = t.order_id "
        "LEFT JOIN users u ON u.user_id = t.assignee_id "
        "WHERE t.status = 'open' AND t.due_at < $1 ORDER BY t.due_at, t.task_id",
        at,
    )
    return [dict(r) for r in rows]


async def overdue_orders(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Orders past their stage limit in the stage entry they are in now."""
    rows = await pool.fetch(
        "SELECT DISTINCT ON (b.order_id) b.order_id::text AS order_id, b.number, b.title, "
        "b.stage, b.pipeline_version, b.stage_entered_at, o.limit_hours, o.alerted_at "
        "FROM board_cards b "
        "JOIN order_overdue o ON o.order_id = b.order_id AND o.stage = b.stage "
        "AND o.entered_at >= b.stage_entered_at - interval '1 second' "
        "ORDER BY b.order_id, o.alerted_at"
    )
    return sorted((dict(r) for r in rows), key=lambda r: (r["stage_entered_at"], r["number"]))


async def workload(pool: asyncpg.Pool, p: Period) -> list[dict[str, Any]]:
    """Per crew member: booked visits starting in the period and their hours, and the actual
    time on site (check-in to check-out, by the phone's times) of visits checked in within
    the period; a visit checked in and not yet out adds nothing until it is. Members with
    no visits are listed too (an idle crew is a finding)."""
    rows = await pool.fetch(
        "WITH v AS (SELECT assignee_id, count(*) AS visits, "
        "sum(extract(epoch FROM ends_at - starts_at)) / 3600.0 AS hours FROM order_visits "
        "WHERE status = 'booked' AND starts_at >= $1 AND starts_at < $2 GROUP BY 1), "
        "s AS (SELECT assignee_id, count(*) AS on_site_visits, "
        "sum(extract(epoch FROM checked_out_at - checked_in_at)) / 3600.0 AS hours "
        "FROM visit_on_site WHERE checked_out_at IS NOT NULL AND checked_in_at >= $1 "
        "AND checked_in_at < $2 GROUP BY 1), "
        "crew AS (SELECT user_id FROM users WHERE active AND role = ANY($3::text[]) "
        "UNION SELECT assignee_id FROM v UNION SELECT assignee_id FROM s) "
        "SELECT crew.user_id::text AS id, u.username, u.display_name, u.role, "
        "coalesce(v.visits, 0) AS visits, coalesce(v.hours, 0)::float8 AS booked_hours, "
        "coalesce(s.hours, 0)::float8 AS on_site_hours, "
        "coalesce(s.on_site_visits, 0) AS on_site_visits "
        "FROM crew LEFT JOIN users u ON u.user_id = crew.user_id "
        "LEFT JOIN v ON v.assignee_id = crew.user_id "
        "LEFT JOIN s ON s.assignee_id = crew.user_id "
        "ORDER BY booked_hours DESC, u.username NULLS LAST, id",
        p.start,
        p.end,
        list(CREW_ROLES),
    )
    return [dict(r) for r in rows]


# The orders behind a report's number (the dashboard's drill-down): what the order is now
# (number, title, stage) beside the moment that put it in the number.
BEHIND = (
    "SELECT b.order_id::text AS order_id, b.number, b.title, b.stage, b.pipeline_version, "
    "x.at FROM ({inner}) x JOIN board_cards b ON b.order_id = x.order_id "
    "ORDER BY x.at, b.number"
)


async def funnel_orders(pool: asyncpg.Pool, p: Period, stage: str) -> list[dict[str, Any]]:
    """The orders counted in the funnel's `entered` for `stage`: they entered it in the period
    (first entry, as the funnel counts an order once per stage)."""
    inner = (
        "SELECT order_id, min(entered_at) AS at FROM stage_intervals "
        "WHERE stage = $3 AND entered_at >= $1 AND entered_at < $2 GROUP BY order_id"
    )
    rows = await pool.fetch(BEHIND.format(inner=inner), p.start, p.end, stage)
    return [dict(r) for r in rows]


async def duration_orders(pool: asyncpg.Pool, p: Period, stage: str) -> list[dict[str, Any]]:
    """The orders behind a stage's time in stage: their stays in it that ended in the period."""
    inner = (
        "SELECT order_id, max(left_at) AS at FROM stage_intervals "
        "WHERE stage = $3 AND left_at >= $1 AND left_at < $2 GROUP BY order_id"
    )
    rows = await pool.fetch(BEHIND.format(inner=inner), p.start, p.end, stage)
    return [dict(r) for r in rows]


async def workload_orders(pool: asyncpg.Pool, p: Period, member: uuid.UUID) -> list[dict[str, Any]]:
    """The orders behind a crew member's load: their booked visits starting in the period."""
    inner = (
        "SELECT order_id, min(starts_at) AS at FROM order_visits WHERE status = 'booked' "
        "AND assignee_id = $3 AND starts_at >= $1 AND starts_at < $2 GROUP BY order_id"
    )
    rows = await pool.fetch(BEHIND.format(inner=inner), p.start, p.end, member)
    return [dict(r) for r in rows]


async def overdue_task_orders(pool: asyncpg.Pool, at: datetime) -> list[dict[str, Any]]:
    """The orders with an open task past due at `at` (a task on no order names none)."""
    inner = (
        "SELECT order_id, min(due_at) AS at FROM order_tasks WHERE status = 'open' "
        "AND due_at < $1 AND order_id IS NOT NULL GROUP BY order_id"
    )
    rows = await pool.fetch(BEHIND.format(inner=inner), at)
    return [dict(r) for r in rows]

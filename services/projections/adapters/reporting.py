"""The `reporting` schema: SQL views for analysts, readable by a read-only database role.

The views are recreated at every start and after every rebuild swap: a view is bound to the
tables it was created on, so after the live schema is swapped for a rebuilt one the views
must be pointed at the new tables (CREATE OR REPLACE keeps the grants).

What analysts see: everything a director sees about orders, stages (and the pipeline versions
that define them), tasks, visits and crew, amounts included (analysts work for the
directors); no customer phone or address (personal data they do not need). The role gets
USAGE on `reporting` and SELECT on its views only: views run with their owner's rights, so
the role never reads the projections' tables.
"""

from __future__ import annotations

import logging

import asyncpg

from plumbing.db import Conn, lock_key, quote_ident

log = logging.getLogger(__name__)

VIEWS: dict[str, str] = {
    "orders": "SELECT c.order_id, c.number, c.title, c.stage, c.stage_entered_at, "
    "c.created_at, c.manager_id, u.username AS manager_username, c.amount, c.version, "
    "c.pipeline_version FROM {live}.board_cards c "
    "LEFT JOIN {live}.users u ON u.user_id::text = c.manager_id",
    "stage_intervals": "SELECT s.order_id, c.number, s.stage, s.entered_at, s.left_at, "
    "extract(epoch FROM coalesce(s.left_at, now()) - s.entered_at) / 3600.0 AS hours, "
    "s.left_at IS NULL AS current, c.pipeline_version FROM {live}.stage_intervals s "
    "LEFT JOIN {live}.board_cards c ON c.order_id = s.order_id",
    "tasks": "SELECT t.task_id, t.order_id, t.visit_id, t.kind, t.title, t.assignee_id, "
    "t.assignee_role, t.status, t.due_at, t.created_at, t.closed_at, "
    "(t.status = 'open' AND t.due_at < now()) AS overdue FROM {live}.order_tasks t",
    "visits": "SELECT v.visit_id, v.order_id, v.task_id, v.kind, v.assignee_id, "
    "u.username AS assignee_username, v.starts_at, v.ends_at, v.status, "
    "extract(epoch FROM v.ends_at - v.starts_at) / 3600.0 AS hours FROM {live}.order_visits v "
    "LEFT JOIN {live}.users u ON u.user_id = v.assignee_id",
    "crew": "SELECT user_id, username, display_name, role, active FROM {live}.users",
    "overdue_alerts": "SELECT order_id, stage, entered_at, limit_hours, alerted_at "
    "FROM {live}.order_overdue",
    # Stages are data: each pipeline version's stages in board order, with their titles and
    # limits, to join on (pipeline_version, stage) from orders and stage_intervals.
    "pipeline_stages": "SELECT version AS pipeline_version, position, key AS stage, title_ru, "
    "title_en, limit_hours, terminal FROM {live}.pipeline_stages",
}


# What analysts read in their SQL client (`\d+ reporting.orders`): every view and every column
# described, in English like the schema (tests/integration/test_projection_reporting_comments.py
# fails on a view or column without one).
TIMES = "(timestamptz, UTC)"
COMMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "orders": (
        "One row per order: where it is now, who manages it and its amount.",
        {
            "order_id": "The order's id (uuid), the key to join the other views on.",
            "number": "The order's number as people say it (№ 123).",
            "title": "What is made, as the manager wrote it.",
            "stage": "The stage it is in now (a key of pipeline_stages.stage).",
            "stage_entered_at": f"When it entered its current stage {TIMES}.",
            "created_at": f"When the order was created {TIMES}; imported orders: in Bitrix24.",
            "manager_id": "The managing user's id (crew.user_id), null without one.",
            "manager_username": "The managing user's login.",
            "amount": "The deal's amount (rubles), null until terms are recorded.",
            "version": "How many events the order has had (grows with every change).",
            "pipeline_version": "The pipeline version the order runs on (pipeline_stages).",
        },
    ),
    "stage_intervals": (
        "One row per stay of an order in a stage: time in stage, for durations and funnels.",
        {
            "order_id": "The order (orders.order_id).",
            "number": "The order's number.",
            "stage": "The stage stayed in (pipeline_stages.stage).",
            "entered_at": f"When it entered {TIMES}.",
            "left_at": f"When it left {TIMES}; null while it is still there.",
            "hours": "Hours in the stage: until it left, or until now while current.",
            "current": "True for the stage the order is in now.",
            "pipeline_version": "The order's pipeline version.",
        },
    ),
    "tasks": (
        "One row per task, for people or a role, made by hand or by the robots.",
        {
            "task_id": "The task's id.",
            "order_id": "The order it is about (orders.order_id); null for a general task.",
            "visit_id": "The visit it belongs to (visits.visit_id), null if none.",
            "kind": "measurement, delivery, installation, rework, book_visit, production, custom.",
            "title": "The task as its author wrote it.",
            "assignee_id": "The assigned user's id (crew.user_id), null when for a role.",
            "assignee_role": "The role it is for when no one person is assigned.",
            "status": "open, done or cancelled.",
            "due_at": f"When it is due {TIMES}.",
            "created_at": f"When it was made {TIMES}.",
            "closed_at": f"When it was done or cancelled {TIMES}; null while open.",
            "overdue": "True while open past its due time.",
        },
    ),
    "visits": (
        "One row per booked visit of a measurer, installer or delivery crew.",
        {
            "visit_id": "The visit's id.",
            "order_id": "The order visited (orders.order_id).",
            "task_id": "The task the visit carries out (tasks.task_id).",
            "kind": "measurement, delivery, installation or rework.",
            "assignee_id": "The crew member's id (crew.user_id).",
            "assignee_username": "The crew member's login.",
            "starts_at": f"When the visit is booked to start {TIMES}.",
            "ends_at": f"When it is booked to end {TIMES}.",
            "status": "booked or cancelled (a visit done is its task done: tasks.status).",
            "hours": "The booked length in hours (without travel).",
        },
    ),
    "crew": (
        "One row per user: the people the other views name.",
        {
            "user_id": "The user's id.",
            "username": "The login.",
            "display_name": "The name as the office knows it.",
            "role": "manager, measurer, installer, delivery, production, director or admin.",
            "active": "False once deactivated (they can no longer sign in).",
        },
    ),
    "overdue_alerts": (
        "One row per time an order overstayed a stage's limit (the alert raised).",
        {
            "order_id": "The order (orders.order_id).",
            "stage": "The stage overstayed.",
            "entered_at": f"When the order entered that stage {TIMES}.",
            "limit_hours": "The stage's limit in hours at the time.",
            "alerted_at": f"When the alert was raised {TIMES}.",
        },
    ),
    "pipeline_stages": (
        "The stages of each pipeline version in board order, to join on (pipeline_version, stage).",
        {
            "pipeline_version": "The pipeline version (orders.pipeline_version).",
            "position": "The stage's place on the board, from 0.",
            "stage": "The stage's key (orders.stage, stage_intervals.stage).",
            "title_ru": "The stage's title in Russian, as on the board.",
            "title_en": "The stage's title in English.",
            "limit_hours": "How long an order may stay before it is late; null: no limit.",
            "terminal": "True for the stages an order ends in (closed, cancelled).",
        },
    ),
}


async def install(
    conn: Conn, live: str, reporting: str, role: str, password: str | None = None
) -> None:
    """Create or refresh the views on `live` and grant the analyst role read access."""
    live_q, rep_q, role_q = quote_ident(live), quote_ident(reporting), quote_ident(role)
    async with conn.transaction():
        # Roles are cluster-wide and two replicas may start at once: one at a time.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("reporting:" + role))
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {rep_q}")
        for name, sql in VIEWS.items():
            view = f"{rep_q}.{quote_ident(name)}"
            await conn.execute(f"CREATE OR REPLACE VIEW {view} AS {sql.format(live=live_q)}")
            about, columns = COMMENTS.get(name, ("", {}))
            await conn.execute(f"COMMENT ON VIEW {view} IS {_literal(about)}")
            for column, text in columns.items():
                await conn.execute(
                    f"COMMENT ON COLUMN {view}.{quote_ident(column)} IS {_literal(text)}"
                )
        try:
            async with conn.transaction():  # a savepoint: no CREATEROLE must not undo the views
                # Where the database logins are provisioned (deploy/database) the role, its
                # password and its CONNECT are there already, and this login may not make
                # them: only what is missing is asked for.
                exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
                if not exists:
                    await conn.execute(f"CREATE ROLE {role_q} NOLOGIN")
                if password:
                    # A literal is required here (no parameters in utility statements).
                    quoted = await conn.fetchval("SELECT quote_literal($1)", password)
                    await conn.execute(f"ALTER ROLE {role_q} LOGIN PASSWORD {quoted}")
                may_connect = await conn.fetchval(
                    "SELECT has_database_privilege($1, current_database(), 'CONNECT')", role
                )
                if not may_connect:
                    database = await conn.fetchval("SELECT quote_ident(current_database())")
                    await conn.execute(f"GRANT CONNECT ON DATABASE {database} TO {role_q}")
                await conn.execute(f"GRANT USAGE ON SCHEMA {rep_q} TO {role_q}")
                await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {rep_q} TO {role_q}")
        except asyncpg.InsufficientPrivilegeError as exc:
            log.warning("analyst role %s not set up (%s); the views exist", role, exc)


def _literal(text: str) -> str:
    """A SQL string literal of our own constant text (COMMENT takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"

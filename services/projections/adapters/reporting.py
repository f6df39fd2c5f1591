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
            await conn.execute(
                f"CREATE OR REPLACE VIEW {rep_q}.{quote_ident(name)} AS {sql.format(live=live_q)}"
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

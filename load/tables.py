"""The soak's look at the database: every table's rows at two moments, and the rows a
retention job should already have removed. A table that grows with the work (the logs, the
read models, the inbox of applied event ids) is reported with its growth per hour; one with a
retention rule must hold no row past it."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from deploy.database.plan import SCHEMAS

# table → the rows its retention job should have removed by now, with a minute's slack for
# the job's own period (gateway/bootstrap.py prunes every 60 s).
PAST_RETENTION: Mapping[str, str] = {
    # gateway/domain/login_throttle.py WINDOW (15 min)
    "gateway.login_failures": "at < now() - interval '17 minutes'",
    # gateway/adapters/sessions_repo.py: a session ended is kept ENDED_KEPT (a day); an
    # hour's soak shows only that nothing is left behind by mistake.
    "gateway.sessions": "expires_at < now() - interval '1 day 1 hour'",
    # services/projections/adapters/changes_store.py: the live feed keeps two days.
    "projections.changes": "at < now() - interval '2 days 1 hour'",
    # services/notifications/adapters/inbox_store.py prune: people's inboxes, hourly.
    "notifications.notifications": "(read_at IS NOT NULL AND created_at < now() - "
    "interval '90 days 1 hour') OR created_at < now() - interval '365 days 1 hour'",
}


async def rows(database_url: str) -> dict[str, int]:
    """Exact row counts of every table of the services' schemas."""
    schemas = sorted({s for owned in SCHEMAS.values() for s in owned})
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE' "
            "ORDER BY 1, 2",
            schemas,
        )
        found = {}
        for t in tables:
            name = f"{t['table_schema']}.{t['table_name']}"
            found[name] = await conn.fetchval(
                f'SELECT count(*) FROM "{t["table_schema"]}"."{t["table_name"]}"'
            )
        return found
    finally:
        await conn.close()


async def past_retention(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {where}")
            for table, where in PAST_RETENTION.items()
        }
    finally:
        await conn.close()

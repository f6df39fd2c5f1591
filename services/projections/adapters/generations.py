"""Fresh schemas for a rebuild, and the swap that puts one in place of the live schema.

The swap is one transaction: lock the live inbox (in-flight applies finish first, new ones
wait), apply what the logs gained since the rebuild read them, carry the realtime feed over,
rename live → retired and fresh → live. The live service keeps running: its pool's
search_path names the schema, and renaming a schema invalidates cached plans, so its next
statement (including the claim that was waiting on the lock) resolves to the new tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from plumbing.db import Conn, lock_key, quote_ident

CatchUp = Callable[[Conn], Awaitable[None]]


async def schema_exists(conn: Conn, schema: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema))


async def owner_mismatch(conn: Conn, live: str) -> str | None:
    """The live schema's owner when it is not the connected user, else None.

    A rebuild makes the tables the live service will use from the swap on: made by anyone
    but the schema's owner (an admin's URL), they would lock the service out of its own read
    models (permission denied on every statement)."""
    row = await conn.fetchrow(
        "SELECT nspowner::regrole::text AS owner, current_user AS me "
        "FROM pg_namespace WHERE nspname = $1",
        live,
    )
    if row is None or row["owner"] == row["me"]:
        return None
    return str(row["owner"])


async def try_lock_rebuild(conn: Conn, live: str) -> bool:
    """One rebuild of a live schema at a time (a session lock held for the whole rebuild)."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key("rebuild:" + live)))


async def unlock_rebuild(conn: Conn, live: str) -> None:
    await conn.execute("SELECT pg_advisory_unlock($1)", lock_key("rebuild:" + live))


async def swap(
    conn: Conn, *, live: str, fresh: str, retired: str, catch_up: CatchUp, after: CatchUp
) -> None:
    live_q, fresh_q, retired_q = quote_ident(live), quote_ident(fresh), quote_ident(retired)
    async with conn.transaction():
        had_live = await schema_exists(conn, live)
        if had_live:
            # EXCLUSIVE lets readers read and stops writers: the consumer's claim waits here.
            await conn.execute(f"LOCK TABLE {live_q}.inbox IN EXCLUSIVE MODE")
        await conn.execute(f"SET LOCAL search_path = {fresh_q}, public")
        await catch_up(conn)
        if had_live:
            await _carry_feed(conn, live_q, fresh_q)
            await conn.execute(f"ALTER SCHEMA {live_q} RENAME TO {retired_q}")
        await conn.execute(f"ALTER SCHEMA {fresh_q} RENAME TO {live_q}")
        await after(conn)
    if had_live:
        await conn.execute(f"DROP SCHEMA {retired_q} CASCADE")


async def _carry_feed(conn: Conn, live_q: str, fresh_q: str) -> None:
    """The realtime feed and the dead letters are records, not replayable state: copy them,
    and continue the feed's numbering so pollers' cursors stay valid."""
    await conn.execute(f"INSERT INTO {fresh_q}.changes SELECT * FROM {live_q}.changes")
    last = await conn.fetchval(f"SELECT last_value FROM {live_q}.changes_seq_seq")
    await conn.execute(f"SELECT setval('{fresh_q}.changes_seq_seq', $1)", last)
    await conn.execute(
        f'INSERT INTO {fresh_q}.dead_letters (consumer, topic, partition, "offset", payload, '
        f'error, recorded_at) SELECT consumer, topic, partition, "offset", payload, error, '
        f"recorded_at FROM {live_q}.dead_letters"
    )


async def drop_indexes(conn: Conn, tables: list[str]) -> list[str]:
    """Drop every index of `tables` (of the connection's schema), primary keys included, and
    answer the statements that make them again as the catalog describes them (names and
    definitions the migrations gave): a bulk load builds each index once, after the rows are
    in, instead of updating it row by row. Only for a schema nobody else uses yet."""
    rows = await conn.fetch(
        "SELECT t.relname AS tab, c.relname AS idx, pg_get_indexdef(i.indexrelid) AS def, "
        "con.conname, pg_get_constraintdef(con.oid) AS condef "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = t.oid "
        "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1::text[]) "
        "ORDER BY t.relname, c.relname",
        tables,
    )
    again = []
    for r in rows:
        tab = quote_ident(r["tab"])
        if r["conname"] is not None:
            con = quote_ident(r["conname"])
            await conn.execute(f"ALTER TABLE {tab} DROP CONSTRAINT {con}")
            again.append(f"ALTER TABLE {tab} ADD CONSTRAINT {con} {r['condef']}")
        else:
            await conn.execute(f"DROP INDEX {quote_ident(r['idx'])}")
            again.append(r["def"])
    return again


async def checksum(conn: Conn, queries: dict[str, str]) -> dict[str, str]:
    """md5 of each read-model table's rows in key order (uses the connection's search_path)."""
    out = {}
    for table, sql in queries.items():
        out[table] = await conn.fetchval(
            f"SELECT md5(coalesce(string_agg(t::text, '|'), '')) FROM ({sql}) t"
        )
    return out

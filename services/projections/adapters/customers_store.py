"""Reads of the board's card rows by the customer's phone (asyncpg)."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.api.phones import MIN_DIGITS
from plumbing.db import Conn, lock_key
from services.projections.domain.customers import directory_search

# Enough for every order of one number (a customer orders a few times; a firm's number a few
# dozen): the newest are kept when a number has more.
MAX_ROWS = 500


async def at_number(pool: asyncpg.Pool, digits: str) -> list[dict[str, Any]]:
    """Card rows whose phone may be `digits` (phone_digits form), most recent first.

    Coarse on purpose: `search` holds each card's phone digits, and every form of a number
    ends with its last ten digits, so the trigram index finds the candidates; which of them
    are the same number is decided in Python (domain/customers.py), by the one function
    that makes numbers comparable, never by a second copy of it in SQL."""
    rows = await pool.fetch(
        "SELECT c.order_id::text AS id, c.number, c.title, c.stage, c.pipeline_version, "
        "c.customer_name, c.phone, c.address, c.address_json FROM board_cards c "
        "WHERE c.search LIKE $1 ORDER BY c.created_at DESC, c.number DESC LIMIT $2",
        f"%{digits[-MIN_DIGITS:]}%",
        MAX_ROWS,
    )
    return [dict(r) for r in rows]


# The directory (issue 20): the `customers` table, one row per number, summed up from the
# cards in the transaction that changed them.


CUSTOMER_COLUMNS = (
    "digits",
    "name",
    "phone",
    "orders",
    "first_order_at",
    "last_order_at",
    "last_activity_at",
    "search",
)


async def summed(conn: Conn, numbers: list[str]) -> list[tuple[Any, ...]]:
    """The directory rows (CUSTOMER_COLUMNS) of `numbers`, summed up from their cards: none for
    a number without cards. One statement for one number (the live `refresh`) or for every
    number a rebuild's load touched, so both sum up with the same SQL."""
    rows = await conn.fetch(
        "SELECT phone_digits AS digits, count(*) AS orders, min(created_at) AS first_order_at, "
        "max(created_at) AS last_order_at, "
        "max(greatest(created_at, stage_entered_at)) AS last_activity_at, "
        "(array_agg(customer_name ORDER BY created_at DESC, number DESC))[1] AS name, "
        "(array_agg(phone ORDER BY created_at DESC, number DESC))[1] AS phone "
        "FROM board_cards WHERE phone_digits = ANY($1::text[]) GROUP BY phone_digits",
        numbers,
    )
    return [
        (
            r["digits"],
            r["name"],
            r["phone"],
            r["orders"],
            r["first_order_at"],
            r["last_order_at"],
            r["last_activity_at"],
            directory_search(r["name"], r["digits"]),
        )
        for r in rows
    ]


async def refresh(conn: Conn, digits: str) -> None:
    """Recompute the customer at `digits` from their cards (or drop them: no card left).

    Two transactions may change cards of one number at once (two partitions, two orders):
    each would sum what it sees and the later commit would keep a sum without the other's
    card. The lock makes the second wait until the first commits; its next statement then
    sees that card (READ COMMITTED takes a new snapshot per statement)."""
    if not digits:
        return
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("customer:" + digits))
    rows = await summed(conn, [digits])
    if not rows:
        await conn.execute("DELETE FROM customers WHERE digits = $1", digits)
        return
    await conn.execute(
        "INSERT INTO customers (digits, name, phone, orders, first_order_at, last_order_at, "
        "last_activity_at, search) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (digits) DO UPDATE SET name = $2, phone = $3, orders = $4, "
        "first_order_at = $5, last_order_at = $6, last_activity_at = $7, search = $8",
        *rows[0],
    )


async def digits_of(conn: Conn, order_id: str) -> str | None:
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT phone_digits FROM board_cards WHERE order_id = $1::uuid", order_id
    )


# Open: not in a terminal stage of the order's pipeline version (joined at read time, as the
# board does: a pipeline may be recorded after orders of its version).
_OPEN_ORDERS = (
    "(SELECT count(*) FROM board_cards c LEFT JOIN pipeline_stages s "
    "ON s.version = c.pipeline_version AND s.key = c.stage "
    "WHERE c.phone_digits = k.digits AND NOT coalesce(s.terminal, false)) AS open_orders"
)
_CUSTOMER_COLUMNS = (
    "k.digits, k.name, k.phone, k.orders, k.first_order_at, k.last_order_at, "
    f"k.last_activity_at, {_OPEN_ORDERS}"
)


def matching(patterns: list[str], first: int) -> str:
    """The directory's search as SQL, the patterns being parameters $first, $first+1, ...:
    one LIKE per pattern, OR-ed, which the trigram index serves (a BitmapOr); `LIKE
    ANY(array)` left the planner a full scan. No pattern: every customer."""
    likes = " OR ".join(f"k.search LIKE ${n}" for n in range(first, first + len(patterns)))
    return f"({likes})" if likes else "true"


async def directory(
    pool: asyncpg.Pool, patterns: list[str], offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, the page): customers whose search text matches any of `patterns`
    (all when none), most recently active first. The trigram index finds the matches; the
    page is a walk of the activity index; open orders are counted for the page only."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        # One snapshot for the count and the page, so they cannot disagree.
        total = await conn.fetchval(
            f"SELECT count(*) FROM customers k WHERE {matching(patterns, 1)}", *patterns
        )
        rows = await conn.fetch(
            f"SELECT {_CUSTOMER_COLUMNS} FROM customers k WHERE {matching(patterns, 3)} "
            "ORDER BY k.last_activity_at DESC, k.digits OFFSET $1 LIMIT $2",
            offset,
            limit,
            *patterns,
        )
    return int(total), [dict(r) for r in rows]


async def customer(
    pool: asyncpg.Pool, digits: str
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The customer at `digits` (their directory row) and their card rows, newest first (at
    most MAX_ROWS); None when nobody ordered from that number."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        row = await conn.fetchrow(
            f"SELECT {_CUSTOMER_COLUMNS} FROM customers k WHERE k.digits = $1", digits
        )
        if row is None:
            return None
        orders = await conn.fetch(
            "SELECT c.order_id::text AS id, c.number, c.title, c.stage, c.pipeline_version, "
            "c.stage_entered_at, c.created_at, c.customer_name, c.phone, c.address, "
            "c.address_json, coalesce(s.terminal, false) AS closed FROM board_cards c "
            "LEFT JOIN pipeline_stages s ON s.version = c.pipeline_version AND s.key = c.stage "
            "WHERE c.phone_digits = $1 ORDER BY c.created_at DESC, c.number DESC LIMIT $2",
            digits,
            MAX_ROWS,
        )
    return dict(row), [dict(o) for o in orders]

"""Reads of the board's card rows by the customer's phone (asyncpg)."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.api.phones import MIN_DIGITS

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

"""Writes and reads of the board read model (asyncpg)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import asyncpg

from plumbing.db import Conn
from services.projections.domain.board import NewCard


async def insert_card(conn: Conn, card: NewCard) -> None:
    row = asdict(card)
    await conn.execute(
        "INSERT INTO board_cards (order_id, number, title, customer_name, phone, address, "
        "address_json, stage, stage_entered_at, manager_id, version, search, created_at) "
        "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $9) "
        "ON CONFLICT (order_id) DO NOTHING",
        row["order_id"],
        row["number"],
        row["title"],
        row["customer_name"],
        row["phone"],
        row["address"],
        row["address_json"],
        row["stage"],
        row["stage_entered_at"],
        row["manager_id"],
        row["version"],
        card.search,
    )


async def upsert_user(conn: Conn, data: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO users (user_id, username, display_name, role, active) "
        "VALUES ($1::uuid, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET "
        "username = $2, display_name = $3, role = $4, active = $5",
        data["user_id"],
        data["username"],
        data["display_name"],
        data["role"],
        data.get("active", True),
    )


CARD_COLUMNS = (
    "c.order_id::text AS id, c.number, c.title, c.stage, c.stage_entered_at, c.version, "
    "c.customer_name, c.phone, c.address, c.address_json, c.manager_id, "
    "u.display_name AS manager_name"
)


def _filters(q: str | None, manager: str | None, visible_to: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = ["true"]
    args: list[Any] = []
    if q:
        args.append(f"%{q.lower()}%")
        clauses.append(f"c.search LIKE ${len(args)}")
    if manager:
        args.append(manager)
        clauses.append(f"c.manager_id = ${len(args)}")
    if visible_to is not None:
        args.append(visible_to)
        clauses.append(
            f"c.order_id IN (SELECT order_id FROM order_access WHERE user_id = ${len(args)}::uuid)"
        )
    return " AND ".join(clauses), args


async def board(
    pool: asyncpg.Pool,
    *,
    q: str | None,
    manager: str | None,
    visible_to: str | None,
    limit: int,
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Counts per stage and the first `limit` cards of each, in two round trips."""
    where, args = _filters(q, manager, visible_to)
    async with pool.acquire() as conn:
        counts = await conn.fetch(
            f"SELECT stage, count(*) AS n FROM board_cards c WHERE {where} GROUP BY stage", *args
        )
        cards = await conn.fetch(
            f"SELECT * FROM (SELECT {CARD_COLUMNS}, row_number() OVER ("
            "PARTITION BY c.stage ORDER BY c.stage_entered_at DESC, c.number DESC) AS rn "
            f"FROM board_cards c LEFT JOIN users u ON u.user_id::text = c.manager_id "
            f"WHERE {where}) ranked WHERE rn <= ${len(args) + 1} "
            "ORDER BY stage, rn",
            *args,
            limit,
        )
    return {r["stage"]: r["n"] for r in counts}, [dict(r) for r in cards]


async def card(pool: asyncpg.Pool, order_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"SELECT {CARD_COLUMNS} FROM board_cards c "
        "LEFT JOIN users u ON u.user_id::text = c.manager_id WHERE c.order_id = $1::uuid",
        order_id,
    )
    return None if row is None else dict(row)


async def touch(conn: Conn, order_id: str, version: int, **changes: Any) -> None:
    """Apply an orders event's changes to the card, only if it is newer than what we hold
    (events of one order arrive in order, but a replay must not move a card backwards)."""
    sets = ["version = $2", "updated_at = now()"]
    args: list[Any] = [order_id, version]
    for column, value in changes.items():
        args.append(value)
        sets.append(f"{column} = ${len(args)}")
    await conn.execute(
        f"UPDATE board_cards SET {', '.join(sets)} WHERE order_id = $1::uuid AND version < $2",
        *args,
    )


async def reindex_search(conn: Conn, order_id: str) -> None:
    """Recompute what `q` matches after the customer changed (mirrors NewCard.search)."""
    await conn.execute(
        "UPDATE board_cards SET search = lower(number::text || ' ' || customer_name || ' ' || "
        "phone || ' ' || regexp_replace(phone, '\\D', '', 'g') || ' ' || address || ' ' || title) "
        "WHERE order_id = $1::uuid",
        order_id,
    )

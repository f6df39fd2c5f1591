"""Writes and reads of the board read model (asyncpg)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any
from uuid import UUID

import asyncpg

from contracts.api.phones import phone_digits
from plumbing.db import Conn
from services.projections.adapters.board_filters import ALL_CARDS, BoardFilter, filters, overdue_of
from services.projections.domain.board import NewCard, search_text


async def insert_card(conn: Conn, card: NewCard) -> None:
    row = asdict(card)
    await conn.execute(
        "INSERT INTO board_cards (order_id, number, title, customer_name, phone, address, "
        "address_json, stage, stage_entered_at, manager_id, version, search, created_at, "
        "pipeline_version, phone_digits) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12, $9, $13, $14) "
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
        card.pipeline_version,
        phone_digits(card.phone),
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
    "c.customer_name, c.phone, c.address, c.address_json, c.manager_id, c.amount::text AS amount, "
    "c.pipeline_version, c.promised_date, u.display_name AS manager_name"
)


# What a card shows beyond its own row, for the cards served only (after ranking), so the
# cost grows with `limit`, not with the number of orders. `r` is a board_cards row. Counts
# are stored per order (card_summaries, kept by refresh_summary); the next visit and the
# overdue flag depend on the time of reading, so they are computed here.
EXTRA_COLUMNS = (
    "nv.starts_at AS next_visit_at, nv.ends_at AS next_visit_ends_at, nv.kind AS next_visit_kind,"
    " nv.assignee_id::text AS next_visit_assignee_id, va.display_name AS next_visit_assignee,"
    " coalesce(cs.open_tasks, 0) AS open_tasks, coalesce(cs.photos, 0) AS photos,"
    " coalesce(cs.documents, 0) AS documents,"
    # Documents counted per purpose: which purposes a role may count is the gateway's
    # decision (visibility.py), so the read model states the facts and decides nothing.
    " coalesce(cs.document_purposes, '{}'::jsonb) AS document_purposes,"
    f" {overdue_of('r')} AS overdue"
)
EXTRA_JOINS = (
    "LEFT JOIN LATERAL (SELECT v.starts_at, v.ends_at, v.kind, v.assignee_id FROM order_visits v"
    " WHERE v.order_id = r.order_id AND v.status = 'booked' AND v.ends_at >= now()"
    " ORDER BY v.starts_at LIMIT 1) nv ON true "
    "LEFT JOIN users va ON va.user_id = nv.assignee_id "
    "LEFT JOIN card_summaries cs ON cs.order_id = r.order_id"
)


def _served(rows: str, also: str = "") -> str:
    """The cards served from `rows` (a FROM item whose rows are board_cards rows, as `r`),
    with the columns `also` besides: the board's and the single card's query are this one."""
    return (
        f"SELECT {CARD_COLUMNS.replace('c.', 'r.')}, {EXTRA_COLUMNS}{also} FROM {rows} "
        f"LEFT JOIN users u ON u.user_id::text = r.manager_id {EXTRA_JOINS}"
    )


async def board(
    pool: asyncpg.Pool,
    *,
    q: str | None = None,
    manager: str | None = None,
    visible_to: str | None = None,
    limit: int,
    assignee: str | None = None,
    production_view: bool = False,
    where: BoardFilter | None = None,
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Counts per stage and the first `limit` cards of each, in one statement: one snapshot,
    so a card written between a count and its cards cannot make them disagree (two statements
    saw two snapshots, and a busy board's count once differed from its cards). `where` names
    every filter; the keyword filters are its first ones, as callers have long given them."""
    f = where or BoardFilter(
        q=q,
        manager=manager,
        assignee=assignee,
        visible_to=visible_to,
        production_view=production_view,
    )
    clause, args = filters(f)
    # The whole board's counts are stored (stage_counts, kept by triggers on board_cards in
    # each write's transaction, so this statement's snapshot sees them agree with its cards);
    # a narrowed board counts its own cards, which no stored figure can know in advance.
    counted = (
        "(SELECT stage, n FROM stage_counts) s"
        if clause == ALL_CARDS
        else f"(SELECT c.stage, count(*) AS n FROM board_cards c WHERE {clause} GROUP BY c.stage) s"
    )
    # The stages the counts find drive one index walk each ((stage, stage_entered_at) index,
    # LIMIT per stage): the cost follows stages x limit, not the number of orders. limit >= 1,
    # so every counted stage brings at least one row, and its count with it.
    ranked = (
        f"{counted} "
        f"CROSS JOIN LATERAL (SELECT c.* FROM board_cards c WHERE c.stage = s.stage AND {clause} "
        f"ORDER BY c.stage_entered_at DESC, c.number DESC LIMIT ${len(args) + 1}) r"
    )
    rows = await pool.fetch(
        f"{_served(ranked, ', s.n AS stage_count')} "
        "ORDER BY r.stage, r.stage_entered_at DESC, r.number DESC",
        *args,
        limit,
    )
    counts: dict[str, int] = {}
    cards: list[dict[str, Any]] = []
    for row in rows:
        served = dict(row)
        counts[served["stage"]] = served.pop("stage_count")
        cards.append(served)
    return counts, cards


async def card(
    pool: asyncpg.Pool, order_id: str, where: BoardFilter | None = None
) -> dict[str, Any] | None:
    """The card of `order_id` exactly as the board with `where` would serve it, or None when
    that board would not show it (no such order, or filtered out): one round trip."""
    f = replace(where or BoardFilter(), order_id=order_id)
    clause, args = filters(f)
    row = await pool.fetchrow(_served(f"(SELECT c.* FROM board_cards c WHERE {clause}) r"), *args)
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


async def customer_changed(
    conn: Conn,
    order_id: str,
    version: int,
    name: str,
    phone: str,
    address: str,
    address_json: dict[str, Any],
) -> None:
    """New customer details on the card, and what `q` matches recomputed from them."""
    row = await conn.fetchrow(
        "SELECT number, title FROM board_cards WHERE order_id = $1::uuid", order_id
    )
    if row is None:
        return  # the card appears with OrderCreated, which carries the current customer
    await touch(
        conn,
        order_id,
        version,
        customer_name=name,
        phone=phone,
        address=address,
        address_json=address_json,
        phone_digits=phone_digits(phone),
        search=search_text(row["number"], row["title"], name, phone, address),
    )


async def title_changed(conn: Conn, order_id: str, version: int, title: str) -> None:
    """A new title on the card, and what `q` matches recomputed with it."""
    row = await conn.fetchrow(
        "SELECT number, customer_name, phone, address FROM board_cards WHERE order_id = $1::uuid",
        order_id,
    )
    if row is None:
        return  # the card appears with OrderCreated
    search = search_text(row["number"], title, row["customer_name"], row["phone"], row["address"])
    await touch(conn, order_id, version, title=title, search=search)


# Each order's counts from its task and media rows, for the orders in $1 (a uuid[]): one for
# the live consumer (refresh_summary), every order a rebuild's load touched (refresh_summaries).
_SUMMARY_SQL = (
    "INSERT INTO card_summaries AS s (order_id, open_tasks, photos, documents, "
    "document_purposes) SELECT o.id,"
    " (SELECT count(*) FROM order_tasks t WHERE t.order_id = o.id AND t.status = 'open'),"
    " (SELECT count(*) FROM order_media m WHERE m.order_id = o.id AND m.kind = 'photo'),"
    " (SELECT count(*) FROM order_media m WHERE m.order_id = o.id AND m.kind = 'document'),"
    " (SELECT coalesce(jsonb_object_agg(p.purpose, p.n), '{}'::jsonb) FROM (SELECT"
    " m.purpose, count(*) AS n FROM order_media m WHERE m.order_id = o.id"
    " AND m.kind = 'document' GROUP BY m.purpose) p) "
    "FROM unnest($1::uuid[]) AS o(id) "
    "ON CONFLICT (order_id) DO UPDATE SET open_tasks = EXCLUDED.open_tasks,"
    " photos = EXCLUDED.photos, documents = EXCLUDED.documents,"
    " document_purposes = EXCLUDED.document_purposes"
)


async def refresh_summary(conn: Conn, order_id: UUID | str | None) -> None:
    """Count the order's open tasks, photos and documents again into its card_summaries row.
    Recounted, not incremented: a redelivered or reordered fact (a completion before its
    creation) cannot make the counts drift from the rows they count."""
    if order_id is None:
        return
    await conn.execute(_SUMMARY_SQL, [str(order_id)])


async def refresh_summaries(conn: Conn, order_ids: list[UUID]) -> None:
    """refresh_summary for many orders in one statement (a rebuild, after loading the rows)."""
    await conn.execute(_SUMMARY_SQL, order_ids)

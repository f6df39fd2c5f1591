"""The projections' reads for the office web app, against real PostgreSQL: the board's
`overdue` and `mine` filters (counts agree with cards), one card as the board serves it
(same filters, one round trip), and customers found by any form of their phone."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from contracts.api.phones import phone_digits
from contracts.events import orders, scheduling
from contracts.events.common import Address, Customer
from plumbing import db
from services.projections.adapters import board_store, customers_store
from services.projections.adapters.board_filters import BoardFilter
from services.projections.adapters.tables import MIGRATIONS
from services.projections.domain.customers import customers_at
from tests.integration.projections_world import (
    Order,
    deliver,
    envelope,
    new_order,
    pipeline_v1,
    published,
    user,
    visit,
)

NOW = datetime.now(UTC)


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, MIGRATIONS)
    await deliver(p, published(1, pipeline_v1(), NOW - timedelta(days=30)))
    return p


async def _overdue(pool: asyncpg.Pool, order: Order, entered: datetime) -> None:
    event = scheduling.OrderOverdue(
        order_id=order.id, stage="intake", entered_at=entered, limit_hours=1
    )
    await deliver(pool, envelope(event, f"timer-{order.id}", 1, entered + timedelta(hours=1)))


class World:
    def __init__(self) -> None:
        self.manager, self.other_manager, self.installer = (uuid.uuid4() for _ in range(3))
        self.a, self.b, self.c, self.d = (new_order(n) for n in (601, 602, 603, 604))


@pytest.fixture
async def world(pool: asyncpg.Pool) -> World:
    w = World()
    await deliver(pool, user(w.manager, "mgr_vera", "manager", NOW))
    await deliver(pool, user(w.other_manager, "mgr_oleg", "manager", NOW))
    await deliver(pool, user(w.installer, "inst_ilya", "installer", NOW))
    t = NOW - timedelta(hours=5)
    await deliver(pool, w.a.created(t, manager=w.manager))  # mine (manager), on time
    await deliver(pool, w.b.created(t + timedelta(minutes=1)))  # the installer's visit
    await deliver(pool, w.c.created(t + timedelta(minutes=2), manager=w.manager))  # overdue
    await deliver(pool, w.d.created(t + timedelta(minutes=3), manager=w.other_manager))
    await _overdue(pool, w.c, t + timedelta(minutes=2))
    await _overdue(pool, w.d, t + timedelta(minutes=3))
    booked, task, _ = visit(w.b.id, w.installer, NOW + timedelta(days=1), 2, kind="installation")
    await deliver(pool, booked)
    await deliver(pool, task)
    return w


async def _numbers(pool: asyncpg.Pool, where: BoardFilter) -> list[int]:
    counts, cards = await board_store.board(pool, limit=50, where=where)
    assert sum(counts.values()) == len(cards)  # the counts are of the same filter
    return sorted(int(str(c["number"])) for c in cards)


async def test_overdue_and_mine_filter_the_board_and_its_counts(
    pool: asyncpg.Pool, world: World
) -> None:
    w = world
    assert await _numbers(pool, BoardFilter()) == [601, 602, 603, 604]
    assert await _numbers(pool, BoardFilter(overdue=True)) == [603, 604]
    assert await _numbers(pool, BoardFilter(mine=str(w.manager))) == [601, 603]
    assert await _numbers(pool, BoardFilter(mine=str(w.installer))) == [602]
    assert await _numbers(pool, BoardFilter(mine=str(w.manager), overdue=True)) == [603]
    assert await _numbers(pool, BoardFilter(mine=str(uuid.uuid4()))) == []
    # and within what a field role may see (the access model, kept from the visit)
    mine = BoardFilter(mine=str(w.installer), visible_to=str(w.installer))
    assert await _numbers(pool, mine) == [602]


async def test_a_stage_change_ends_overdue_for_the_filter_as_for_the_flag(
    pool: asyncpg.Pool, world: World
) -> None:
    await deliver(pool, world.c.move("intake", "measurement", NOW))
    assert await _numbers(pool, BoardFilter(overdue=True)) == [604]
    card = await board_store.card(pool, str(world.c.id))
    assert card is not None
    assert card["overdue"] is False


async def test_one_card_is_the_boards_card_in_one_round_trip(
    pool: asyncpg.Pool, world: World
) -> None:
    _, cards = await board_store.board(pool, limit=50, where=BoardFilter())
    statements: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
    for served in cards:
        assert await board_store.card(pool, str(served["id"])) == served
    assert len([q for q in statements if "board_cards" in q]) == len(cards)


async def test_a_card_the_filters_or_the_callers_view_leave_out_is_none(
    pool: asyncpg.Pool, world: World
) -> None:
    w = world

    async def shown(order: Order, where: BoardFilter) -> bool:
        return await board_store.card(pool, str(order.id), where) is not None

    field = BoardFilter(visible_to=str(w.installer))
    assert await shown(w.b, field)
    assert not await shown(w.a, field)  # not theirs
    assert not await shown(new_order(999), BoardFilter())  # no such order
    assert await shown(w.c, BoardFilter(overdue=True))
    assert not await shown(w.a, BoardFilter(overdue=True))
    assert not await shown(w.b, BoardFilter(mine=str(w.manager)))
    production = BoardFilter(production_view=True)
    assert not await shown(w.d, production)  # intake is not production's
    await deliver(pool, w.d.move("intake", "production", NOW))
    assert await shown(w.d, production)


def _created(order: Order, name: str, phone: str, at: datetime) -> None:
    customer = Customer(name=name, phone=phone, address=Address(text=f"Москва, {order.number}"))
    order.add(
        orders.OrderCreated(
            order_id=order.id, number=order.number, title=f"Шкаф {order.number}", customer=customer
        ),
        at,
    )


async def test_customers_are_found_by_any_form_of_their_phone(pool: asyncpg.Pool) -> None:
    t = NOW - timedelta(days=10)
    made = [
        ("Орлова Мария", "+79161234567"),
        ("Орлова Мария", "+79161234567"),
        ("Котов", "+79161234567"),  # another person at the same number
        ("Лисин", "+79161234500"),  # a number differing only in its last digits
        ("Шкаф 9161234567", "+79035550000"),  # the digits, but in a name, not the phone
    ]
    ordered: list[Order] = []
    for i, (name, phone) in enumerate(made):
        order = new_order(700 + i)
        _created(order, name, phone, t + timedelta(hours=i))
        for env in order.log:
            await deliver(pool, env)
        ordered.append(order)
    for typed in ("8 (916) 123-45-67", "+7 916 123 45 67", "9161234567"):
        digits = phone_digits(typed)
        found = customers_at(await customers_store.at_number(pool, digits), digits)
        assert [c["name"] for c in found] == ["Котов", "Орлова Мария"]
        assert [o["number"] for o in found[1]["orders"]] == [701, 700]  # most recent first
    assert customers_at(await customers_store.at_number(pool, "79990001122"), "79990001122") == []


async def test_counts_agree_with_cards_while_orders_arrive(pool: asyncpg.Pool) -> None:
    """The counts and the cards are one snapshot: a card written between reading them cannot
    make a column's count differ from the cards it holds (a full run once saw 15 against 14)."""
    arriving = [new_order(700 + n) for n in range(120)]

    async def write() -> None:
        for order in arriving:
            await deliver(pool, order.created(NOW))

    async def read() -> int:
        reads = 0
        while not writer.done():
            counts, cards = await board_store.board(pool, limit=500, where=BoardFilter())
            per_stage = dict.fromkeys(counts, 0)
            for card in cards:
                per_stage[card["stage"]] += 1
            assert per_stage == counts
            reads += 1
        return reads

    writer = asyncio.ensure_future(write())
    try:
        reads = await asyncio.gather(*(read() for _ in range(3)))
    finally:
        await writer
    assert min(reads) > 0
    counts, cards = await board_store.board(pool, limit=500, where=BoardFilter())
    assert counts == {"intake": len(arriving)}
    assert len(cards) == len(arriving)

"""The projections' read models against real PostgreSQL: the board card's every field,
events that overtake OrderCreated, redelivery, and the two-round-trip board."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from contracts.events import orders, scheduling
from contracts.events.common import MediaKind
from plumbing import db
from services.projections.adapters import board_store
from services.projections.adapters.tables import MIGRATIONS, STAGE_COUNTS_DDL, SUMMARIES_DDL
from services.projections.application.apply import apply
from tests.integration.projections_world import (
    SECRET_AMOUNT,
    deliver,
    envelope,
    interleave,
    new_order,
    stage_counts,
    sums,
    user,
    visit,
)

NOW = datetime.now(UTC)


@pytest.fixture
async def pool(schema_pool: tuple[asyncpg.Pool, str]) -> asyncpg.Pool:
    p, schema = schema_pool
    await db.migrate(p, schema, MIGRATIONS)
    return p


async def _card(pool: asyncpg.Pool, order_id: uuid.UUID) -> dict[str, object]:
    card = await board_store.card(pool, str(order_id))
    assert card is not None
    return card


async def test_a_visit_booked_before_the_order_is_known_shows_on_its_card(
    pool: asyncpg.Pool,
) -> None:
    measurer = uuid.uuid4()
    order = new_order(101)
    booked, task, _ = visit(order.id, measurer, NOW + timedelta(days=2), 2)
    # scheduling's facts arrive first (another topic, another partition)
    await deliver(pool, user(measurer, f"m{measurer.hex[:6]}", "measurer", NOW))
    assert await deliver(pool, booked)
    assert await deliver(pool, task)
    assert await board_store.card(pool, str(order.id)) is None
    await deliver(pool, order.created(NOW - timedelta(hours=1)))

    card = await _card(pool, order.id)
    assert card["next_visit_at"] == NOW + timedelta(days=2)
    assert card["next_visit_assignee_id"] == str(measurer)
    assert card["next_visit_assignee"] == f"m{measurer.hex[:6]}".title()
    assert card["open_tasks"] == 1
    access = await pool.fetchval(
        "SELECT count(*) FROM order_access WHERE order_id = $1 AND user_id = $2", order.id, measurer
    )
    assert access == 1


async def test_a_card_shows_counts_amount_and_an_overdue_flag_cleared_by_a_stage_change(
    pool: asyncpg.Pool,
) -> None:
    order = new_order(102)
    t0 = NOW - timedelta(days=3)
    events = [order.created(t0), order.deal(t0 + timedelta(minutes=5))]
    files: list[tuple[MediaKind, str]] = [
        ("photo", "measurement"),
        ("document", "requirements"),
        ("photo", "other"),
    ]
    for i, (kind, purpose) in enumerate(files):
        events.append(
            order.add(
                orders.MediaAttached(
                    order_id=order.id,
                    media_id=uuid.uuid4(),
                    kind=kind,
                    purpose=purpose,
                    filename=f"f{i}",
                    source_event_id=uuid.uuid4(),
                ),
                t0 + timedelta(minutes=10 + i),
            )
        )
    detached = orders.MediaDetached(
        order_id=order.id,
        media_id=uuid.UUID(events[-1].data["media_id"]),
        source_event_id=uuid.uuid4(),
    )
    events.append(order.add(detached, t0 + timedelta(minutes=20)))
    overdue = scheduling.OrderOverdue(
        order_id=order.id, stage="intake", entered_at=t0, limit_hours=24
    )
    events.append(envelope(overdue, f"timer-{order.id}", 1, t0 + timedelta(days=1)))
    for env in events:
        await deliver(pool, env)

    card = await _card(pool, order.id)
    assert card["amount"] == str(SECRET_AMOUNT)
    assert (card["photos"], card["documents"]) == (1, 1)
    assert card["document_purposes"] == {"requirements": 1}
    assert card["overdue"] is True
    assert card["version"] == 6

    await deliver(pool, order.move("intake", "measurement", t0 + timedelta(days=2)))
    card = await _card(pool, order.id)
    assert (card["stage"], card["overdue"]) == ("measurement", False)


async def test_completed_and_cancelled_tasks_leave_the_open_count(pool: asyncpg.Pool) -> None:
    order = new_order(103)
    await deliver(pool, order.created(NOW))
    task_ids = []
    for _ in range(3):
        _, task, task_id = visit(order.id, uuid.uuid4(), NOW + timedelta(days=1), 1)
        await deliver(pool, task)
        task_ids.append(task_id)
    done = scheduling.TaskCompleted(
        task_id=task_ids[0], order_id=order.id, kind="measurement", completed_by=uuid.uuid4()
    )
    gone = scheduling.TaskCancelled(task_id=task_ids[1], order_id=order.id, kind="measurement")
    await deliver(pool, envelope(done, f"task-{task_ids[0]}", 2, NOW))
    await deliver(pool, envelope(gone, f"task-{task_ids[1]}", 2, NOW))
    assert (await _card(pool, order.id))["open_tasks"] == 1


async def test_stored_counts_stay_exact_when_a_completion_overtakes_its_task(
    pool: asyncpg.Pool,
) -> None:
    """The counts are stored per order (card_summaries) and recounted at each task or media
    fact: a completion delivered before its creation, or delivered twice, leaves them equal
    to what the rows say, as a rebuild would find them."""
    order = new_order(104)
    await deliver(pool, order.created(NOW))
    _, task, task_id = visit(order.id, uuid.uuid4(), NOW + timedelta(days=1), 1)
    done = scheduling.TaskCompleted(
        task_id=task_id, order_id=order.id, kind="measurement", completed_by=uuid.uuid4()
    )
    completed = envelope(done, f"task-{task_id}", 2, NOW)
    await deliver(pool, completed)  # overtakes the creation
    await deliver(pool, task)
    await deliver(pool, completed)  # and is delivered again
    assert (await _card(pool, order.id))["open_tasks"] == 0
    stored = await pool.fetchrow("SELECT * FROM card_summaries WHERE order_id = $1", order.id)
    assert stored is not None
    assert stored["open_tasks"] == await pool.fetchval(
        "SELECT count(*) FROM order_tasks WHERE order_id = $1 AND status = 'open'", order.id
    )


async def test_the_summaries_step_counts_what_a_database_already_had(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    """A database projected before card_summaries existed gets its counts from the step
    that makes the table, not only from facts that arrive afterwards."""
    p, schema = schema_pool
    before = MIGRATIONS[: MIGRATIONS.index(SUMMARIES_DDL)]
    summaries = SUMMARIES_DDL
    await db.migrate(p, schema, before)
    order, other = uuid.uuid4(), uuid.uuid4()
    await p.execute(
        "INSERT INTO order_tasks (task_id, order_id, kind, status) VALUES "
        "($1, $3, 'measurement', 'open'), ($2, $3, 'measurement', 'done')",
        uuid.uuid4(),
        uuid.uuid4(),
        order,
    )
    await p.execute(
        "INSERT INTO order_media (media_id, order_id, kind, purpose) VALUES "
        "($1, $3, 'document', 'contract_draft'), ($2, $4, 'photo', 'other')",
        uuid.uuid4(),
        uuid.uuid4(),
        order,
        other,
    )
    await db.migrate(p, schema, [*before, summaries])
    rows = {
        r["order_id"]: dict(r)
        for r in await p.fetch("SELECT * FROM card_summaries ORDER BY order_id")
    }
    assert rows[order] == {
        "order_id": order,
        "open_tasks": 1,
        "photos": 0,
        "documents": 1,
        "document_purposes": {"contract_draft": 1},
    }
    assert (rows[other]["photos"], rows[other]["documents"]) == (1, 0)


async def test_stored_stage_counts_follow_inserts_moves_and_stale_or_repeated_facts(
    pool: asyncpg.Pool,
) -> None:
    """The cards per stage are stored (stage_counts) and must always equal a GROUP BY of
    the cards: a redelivered creation, a move delivered twice, a move overtaken by a newer
    one, and a stale move applied again without the inbox (as a catch-up could) change
    nothing they should not."""
    t0 = NOW - timedelta(days=3)
    a, b, c = new_order(601), new_order(602), new_order(603)
    for order in (a, b, c):
        assert await deliver(pool, order.created(t0))
    assert await stage_counts(pool) == ({"intake": 3}, {"intake": 3})

    first = a.move("intake", "measurement", t0 + timedelta(hours=1))
    assert await deliver(pool, first)
    assert not await deliver(pool, first)  # redelivered: the inbox drops it
    async with pool.acquire() as conn, conn.transaction():
        await apply(conn, first, feed=False)  # and applied again: the version guard holds
        await apply(conn, a.log[0], feed=False)  # its creation too: ON CONFLICT DO NOTHING
    # b's newer move arrives before its older one, which then moves nothing
    older = b.move("intake", "measurement", t0 + timedelta(hours=2))
    newer = b.move("measurement", "contract", t0 + timedelta(hours=3))
    assert await deliver(pool, newer)
    assert await deliver(pool, older)
    await deliver(pool, a.deal(t0 + timedelta(hours=4)))  # a touch that moves no card

    stored, counted = await stage_counts(pool)
    assert stored == counted == {"intake": 1, "measurement": 1, "contract": 1}
    counts, _ = await board_store.board(pool, limit=5)
    assert counts == stored
    # A stage emptied by moves loses its row, so the table is exactly the GROUP BY.
    await deliver(pool, c.move("intake", "measurement", t0 + timedelta(hours=5)))
    assert await stage_counts(pool) == ({"measurement": 2, "contract": 1},) * 2


async def test_stored_stage_counts_follow_any_removal_of_cards(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """No event removes a card today, but the counts are kept by the table's triggers, so
    an operator's DELETE, UPDATE or TRUNCATE (or a future purge) keeps them exact as well,
    from a session whose search_path names another schema too."""
    for n in range(6):
        order = new_order(620 + n)
        await deliver(pool, order.created(NOW))
        if n % 2:
            await deliver(pool, order.move("intake", "measurement", NOW + timedelta(minutes=n)))
    await pool.execute("DELETE FROM board_cards WHERE number IN (620, 621, 623)")
    stored, counted = await stage_counts(pool)
    assert stored == counted == {"intake": 2, "measurement": 1}
    schema = db.quote_ident(await pool.fetchval("SELECT current_schema()"))
    operator = await asyncpg.connect(database_url)  # search_path: the server's default
    try:
        await operator.execute(
            f"UPDATE {schema}.board_cards SET stage = 'closed' WHERE number = 622"
        )
        await operator.execute(f"DELETE FROM {schema}.board_cards WHERE number = 625")
    finally:
        await operator.close()
    stored, counted = await stage_counts(pool)
    assert stored == counted == {"intake": 1, "closed": 1}
    await pool.execute("TRUNCATE board_cards")
    assert await stage_counts(pool) == ({}, {})


async def test_the_whole_board_reads_stored_counts_and_a_narrowed_one_counts_its_cards(
    pool: asyncpg.Pool,
) -> None:
    """Which path the board takes: the stored counts for nobody's filter (shown by a stored
    figure changed behind the projector's back), its own count for any filter."""
    for n in range(4):
        await deliver(pool, new_order(640 + n).created(NOW - timedelta(minutes=n)))
    await pool.execute("UPDATE stage_counts SET n = 99 WHERE stage = 'intake'")
    counts, cards = await board_store.board(pool, limit=2)
    assert (counts, len(cards)) == ({"intake": 99}, 2)
    counts, cards = await board_store.board(pool, q="шкаф", limit=2)
    assert (counts, len(cards)) == ({"intake": 4}, 2)
    counts, _ = await board_store.board(pool, visible_to=str(uuid.uuid4()), limit=2)
    assert counts == {}


async def test_the_stage_counts_step_counts_what_a_database_already_had(
    schema_pool: tuple[asyncpg.Pool, str],
) -> None:
    """A database projected before stage_counts existed gets its counts from the step that
    makes the table, and from then on every write keeps them."""
    p, schema = schema_pool
    before = MIGRATIONS[: MIGRATIONS.index(STAGE_COUNTS_DDL)]
    await db.migrate(p, schema, before)
    orders_ = [new_order(660 + n) for n in range(5)]
    for n, order in enumerate(orders_):
        await deliver(p, order.created(NOW))
        if n < 2:
            await deliver(p, order.move("intake", "production", NOW + timedelta(minutes=1)))
    await db.migrate(p, schema, [*before, STAGE_COUNTS_DDL])
    assert await stage_counts(p) == ({"intake": 3, "production": 2},) * 2
    await deliver(p, orders_[4].move("intake", "production", NOW + timedelta(minutes=2)))
    assert await stage_counts(p) == ({"intake": 2, "production": 3},) * 2


async def test_the_board_filters_by_search_manager_and_assignee(pool: asyncpg.Pool) -> None:
    manager, installer = uuid.uuid4(), uuid.uuid4()
    await deliver(pool, user(manager, "mgr_anna", "manager", NOW))
    await deliver(pool, user(installer, "inst_boris", "installer", NOW))
    a, b, c = new_order(201), new_order(202), new_order(203)
    await deliver(pool, a.created(NOW - timedelta(hours=3), manager=manager, name="Петрова"))
    await deliver(pool, b.created(NOW - timedelta(hours=2), name="Сидоров"))
    await deliver(pool, c.created(NOW - timedelta(hours=1), manager=manager, name="Кузнецов"))
    booked, _, _ = visit(b.id, installer, NOW + timedelta(days=1), 3, kind="installation")
    await deliver(pool, booked)

    async def numbers(**filters: str | None) -> list[int]:
        counts, cards = await board_store.board(
            pool,
            q=filters.get("q"),
            manager=filters.get("manager"),
            visible_to=None,
            limit=10,
            assignee=filters.get("assignee"),
        )
        assert counts.get("intake", 0) == len(cards)
        return [int(str(card["number"])) for card in cards]

    assert await numbers() == [203, 202, 201]  # most recently moved first
    assert await numbers(q="петров") == [201]
    assert await numbers(q="9151234567") == [203, 202, 201]
    assert await numbers(manager="mgr_anna") == [203, 201]
    assert await numbers(manager=str(manager)) == [203, 201]
    assert await numbers(assignee="inst_boris") == [202]
    assert await numbers(assignee=str(installer)) == [202]


async def test_search_finds_a_customer_after_their_details_changed(pool: asyncpg.Pool) -> None:
    order = new_order(250)
    await deliver(pool, order.created(NOW, name="Петрова"))
    await deliver(pool, order.customer("Жукова Ольга", NOW + timedelta(minutes=5)))

    async def found(q: str) -> bool:
        _, cards = await board_store.board(pool, q=q, manager=None, visible_to=None, limit=5)
        return any(int(str(card["number"])) == 250 for card in cards)

    assert await found("жукова")  # lower-case Cyrillic, as people type it
    assert await found("9039998877")
    assert await found("химки")
    assert not await found("петрова")


async def test_the_board_costs_one_round_trip_whatever_the_size(pool: asyncpg.Pool) -> None:
    for n in range(30):
        await deliver(pool, new_order(300 + n).created(NOW - timedelta(minutes=n)))
    statements: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        # the pool hands out this same idle connection: count what board() sends
    counts, cards = await board_store.board(pool, q=None, manager=None, visible_to=None, limit=5)
    assert sum(counts.values()) == 30
    assert len(cards) == 5
    ours = [q for q in statements if "board_cards" in q]  # the pool's own reset aside
    assert len(ours) == 1  # counts and cards in one statement: one snapshot


async def test_redelivering_every_topic_changes_no_read_model(pool: asyncpg.Pool) -> None:
    crew = [uuid.uuid4() for _ in range(3)]
    log = [user(m, f"c{m.hex[:6]}", "installer", NOW) for m in crew]
    for n in range(5):
        order = new_order(400 + n)
        order.created(NOW - timedelta(days=5))
        order.deal(NOW - timedelta(days=4))
        order.move("intake", "measurement", NOW - timedelta(days=3))
        log.extend(order.log)
        booked, task, _ = visit(order.id, crew[n % 3], NOW + timedelta(days=n), 2)
        log.extend([booked, task])
    log = interleave(log, 7)
    for env in log:
        assert await deliver(pool, env)
    first = await sums(pool)
    for env in log:  # the whole of every topic again
        assert not await deliver(pool, env)
    assert await sums(pool) == first


async def test_stage_intervals_are_the_same_whichever_stage_change_arrives_first(
    schema_pool: tuple[asyncpg.Pool, str], database_url: str
) -> None:
    """After the broker loses its data a consumer can meet an order's newest stage change
    before the republished older ones (seen under `make chaos`): the intervals must still
    be what they are when every event arrives in order."""
    order = new_order(500)
    order.created(NOW - timedelta(days=6))
    order.move("intake", "measurement", NOW - timedelta(days=5))
    order.move("measurement", "contract", NOW - timedelta(days=4))
    order.move("contract", "production", NOW - timedelta(days=2))
    created, *moves = order.log
    in_order, shuffled = (
        schema_pool[0],
        await db.create_pool(database_url, f"t_{uuid.uuid4().hex[:12]}", max_size=2),
    )
    try:
        for target, sequence in ((in_order, moves), (shuffled, [moves[2], moves[0], moves[1]])):
            await db.migrate(target, await target.fetchval("SELECT current_schema()"), MIGRATIONS)
            for env in [created, *sequence]:
                assert await deliver(target, env)
        rows = "SELECT stage, entered_at, left_at FROM stage_intervals ORDER BY entered_version"
        expected = await in_order.fetch(rows)
        assert [r["stage"] for r in expected] == ["intake", "measurement", "contract", "production"]
        assert sum(r["left_at"] is None for r in expected) == 1
        assert await shuffled.fetch(rows) == expected
        assert await sums(shuffled) == await sums(in_order)
    finally:
        await shuffled.close()


async def test_a_task_completed_before_its_creation_arrives_ends_as_if_in_order(
    schema_pool: tuple[asyncpg.Pool, str], database_url: str
) -> None:
    """The same overtaking after broker data loss, for a visit's task (seen under `make
    chaos`: the done task had lost its visit)."""
    order = new_order(501)
    created = order.created(NOW - timedelta(days=2))
    booked, task, task_id = visit(order.id, uuid.uuid4(), NOW + timedelta(days=1), 1)
    done = envelope(
        scheduling.TaskCompleted(
            task_id=task_id, order_id=order.id, kind="measurement", completed_by=uuid.uuid4()
        ),
        f"task-{task_id}",
        2,
        NOW,
    )
    in_order, overtaken = (
        schema_pool[0],
        await db.create_pool(database_url, f"t_{uuid.uuid4().hex[:12]}", max_size=2),
    )
    try:
        for target, sequence in ((in_order, [task, done]), (overtaken, [done, task])):
            await db.migrate(target, await target.fetchval("SELECT current_schema()"), MIGRATIONS)
            for env in [created, booked, *sequence]:
                assert await deliver(target, env)
        row = "SELECT visit_id, status FROM order_tasks WHERE task_id = $1"
        assert dict(await in_order.fetchrow(row, task_id) or {})["status"] == "done"
        assert await overtaken.fetchrow(row, task_id) == await in_order.fetchrow(row, task_id)
        assert await sums(overtaken) == await sums(in_order)
    finally:
        await overtaken.close()

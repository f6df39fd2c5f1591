"""The rebuild's bulk load (every log folded in memory, each table written once with COPY)
against the live consumer's path (claim, then apply in PostgreSQL, one event at a time), on a
history that touches every table the projector writes: equal by every checksum of
CHECKSUM_QUERIES, whatever the interleaving the live side saw."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest

from contracts.envelope import Envelope
from contracts.events import identity, orders, scheduling
from contracts.events.common import Address, Customer, GeoPoint
from plumbing import db
from plumbing.inbox import claim_many
from services.projections.adapters.generations import checksum
from services.projections.adapters.tables import CHECKSUM_QUERIES, MIGRATIONS
from services.projections.application.apply import GROUP
from services.projections.application.rebuild import Result, _load, _replay, compare, rebuild
from tests.integration.projections_world import (
    deliver,
    envelope,
    interleave,
    new_order,
    pipeline_v1,
    pipeline_v2,
    pipeline_v3,
    published,
    stage_counts,
    sums,
    user,
    visit,
)
from tests.integration.test_projection_rebuild import NOW, World

HERE = GeoPoint(lat=55.75, lon=37.61)


def _customer(name: str, phone: str) -> Customer:
    return Customer(name=name, phone=phone, address=Address(city="Москва", street="Тверская"))


def mixed_history(n: int) -> list[Envelope]:
    """Users, pipeline versions (one published twice), and `n` orders, each with what the
    projector reads of the orders, scheduling and gateway logs: stage moves forward and back,
    customers changing numbers (pairs of orders share one), titles, managers, promised dates,
    deal terms, comments, files attached and detached, visits booked, moved, cancelled and
    attended, tasks created, completed and cancelled, overdue alerts."""
    crew = [uuid.uuid4() for _ in range(3)]
    out = [user(m, f"c{m.hex[:8]}", "installer", NOW) for m in crew]
    renamed = identity.UserUpdated(
        user_id=crew[0], username="renamed", display_name="Renamed", role="measurer", active=False
    )
    out.append(envelope(renamed, f"user-{crew[0]}", 2, NOW))
    out += [
        published(1, pipeline_v1(), NOW),
        published(2, pipeline_v2(), NOW),
        published(1, pipeline_v1(), NOW),  # every version again at an upgrade: no change
    ]
    for i in range(n):
        t = NOW - timedelta(days=20, hours=i)
        order = new_order(2000 + i)
        phone = f"+7916000{i // 2:04d}"  # two orders per number
        out.append(
            order.add(
                orders.OrderCreated(
                    order_id=order.id,
                    number=order.number,
                    title=f"Кухня {i}",
                    customer=_customer(f"Клиент {i // 2}", phone),
                    manager_id=str(crew[i % 3]) if i % 4 else None,
                    pipeline_version=1 + i % 2,
                ),
                t,
            )
        )
        out.append(order.add(orders.ManagerAssigned(order_id=order.id, manager_id="m1"), t))
        out.append(order.move("intake", "measurement", t + timedelta(hours=1)))
        out.append(order.deal(t + timedelta(hours=2)))
        if i % 3 == 0:  # a new number: the old customer loses the order
            renamed_customer = _customer(f"Новый {i}", f"8 (903) 111-{i:04d}")
            updated = orders.CustomerUpdated(order_id=order.id, customer=renamed_customer)
            out.append(order.add(updated, t + timedelta(hours=3)))
        if i % 4 == 1:
            titled = orders.TitleChanged(order_id=order.id, title=f"Шкаф {i}")
            out.append(order.add(titled, t + timedelta(hours=3)))
        promised = orders.PromisedDateSet(order_id=order.id, promised_date=date(2027, 1, 1 + i))
        out.append(order.add(promised, t + timedelta(hours=4)))
        comment = orders.CommentPosted(order_id=order.id, comment_id=uuid.uuid4(), text="ok")
        out.append(order.add(comment, t + timedelta(hours=5)))
        media = []
        for k, (kind, purpose) in enumerate(
            [("photo", "measurement"), ("document", "contract"), ("document", "requirements")]
        ):
            attached = orders.MediaAttached(
                order_id=order.id,
                media_id=uuid.uuid4(),
                kind=kind,  # type: ignore[arg-type]
                purpose=purpose,
                filename=f"f{k}",
                source_event_id=uuid.uuid4(),
            )
            media.append(attached.media_id)
            out.append(order.add(attached, t + timedelta(hours=6, minutes=k)))
        if i % 2:
            detached = orders.MediaDetached(
                order_id=order.id, media_id=media[1], source_event_id=uuid.uuid4()
            )
            out.append(order.add(detached, t + timedelta(hours=7)))
        if i % 5 == 2:  # back, then forward again
            out.append(order.move("measurement", "intake", t + timedelta(hours=8)))
            out.append(order.move("intake", "measurement", t + timedelta(hours=9)))
        out.append(order.move("measurement", "contract", t + timedelta(days=1)))
        out += _visit_story(order.id, crew[i % 3], crew[(i + 1) % 3], i, t)
        overdue = scheduling.OrderOverdue(
            order_id=order.id, stage="contract", entered_at=t + timedelta(days=1), limit_hours=24
        )
        out.append(envelope(overdue, f"timer-{order.id}", 1, t + timedelta(days=2)))
    return out


def _visit_story(
    order_id: uuid.UUID, who: uuid.UUID, other: uuid.UUID, i: int, t: Any
) -> list[Envelope]:
    booked, task, task_id = visit(order_id, who, t + timedelta(days=3), 2)
    out = [booked, task]
    visit_id = uuid.UUID(booked.data["visit_id"])
    stream = f"visit-{visit_id}"
    if i % 3 == 1:  # moved to another person: two grants, the earliest wins
        moved = scheduling.VisitRescheduled(
            visit_id=visit_id,
            order_id=order_id,
            kind="measurement",
            assignee_id=other,
            starts_at=t + timedelta(days=4),
            ends_at=t + timedelta(days=4, hours=2),
            task_id=task_id,
        )
        out.append(envelope(moved, stream, 2, t + timedelta(days=2)))
    if i % 4 == 3:
        cancelled = scheduling.VisitCancelled(
            visit_id=visit_id, order_id=order_id, kind="measurement", task_id=task_id
        )
        out.append(envelope(cancelled, stream, 3, t + timedelta(days=2)))
        gone = scheduling.TaskCancelled(task_id=task_id, order_id=order_id, kind="measurement")
        out.append(envelope(gone, f"task-{task_id}", 2, t + timedelta(days=2)))
    else:
        presence: dict[str, Any] = {
            "visit_id": visit_id,
            "order_id": order_id,
            "kind": "measurement",
            "assignee_id": who,
            "location": HERE,
        }
        arrived = scheduling.VisitCheckedIn(at=t + timedelta(days=3), **presence)
        out.append(envelope(arrived, stream, 4, t + timedelta(days=3)))
        if i % 2 == 0:
            left = scheduling.VisitCheckedOut(at=t + timedelta(days=3, hours=1), **presence)
            out.append(envelope(left, stream, 5, t + timedelta(days=3, hours=1)))
            done = scheduling.TaskCompleted(
                task_id=task_id, order_id=order_id, kind="measurement", completed_by=who
            )
            out.append(envelope(done, f"task-{task_id}", 2, t + timedelta(days=3, hours=2)))
    if i % 3 == 0:  # a second visit for the same person, later: the first grant stays
        again, again_task, _ = visit(order_id, who, t + timedelta(days=9), 1, kind="delivery")
        out += [again, again_task]
    # A task about no order and nobody (a manager's to-do): no grant, no card counts.
    loose = scheduling.TaskCreated(task_id=uuid.uuid4(), kind="custom", title="Позвонить")
    out.append(envelope(loose, f"task-{loose.task_id}", 1, t))
    return out


async def _counts(world: World) -> dict[str, int]:
    out = {}
    for table in CHECKSUM_QUERIES:
        out[table] = await world.pool.fetchval(f"SELECT count(*) FROM {table}")
    return out


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    w = World(database_url, uuid.uuid4().hex[:8])
    await w.start()
    yield w
    await w.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_bulk_load_equals_the_live_consumer_table_by_table(
    world: World, seed: int
) -> None:
    events = mixed_history(12)
    for env in events:
        await world.publish(env)
    for env in interleave(events, seed):
        await deliver(world.pool, env)
    assert all(await _counts(world)), await _counts(world)  # every table has rows to compare

    assert await compare(world.plan()) == {}


def stale_and_early(events: list[Envelope]) -> list[Envelope]:
    """Facts a consumer meets after the broker lost its data, or a producer republished: old
    versions again under new ids, facts before the ones they follow, facts about rows that
    never came. Each read model has a rule for them (version guards, upserts, DO NOTHING)."""
    created = [e for e in events if e.type == "orders.OrderCreated"]
    moves = [e for e in events if e.type == "orders.StageChanged"]
    out = [
        e.model_copy(update={"event_id": uuid.uuid4()})
        for e in (created[0], moves[0], moves[-1], events[-1])
    ]
    assigned = next(e for e in events if e.type == "orders.ManagerAssigned")
    out.append(
        assigned.model_copy(
            update={"event_id": uuid.uuid4(), "data": {**assigned.data, "manager_id": "late"}}
        )
    )
    out.append(published(2, pipeline_v3(), NOW))  # a version never changes: the first stays
    late = new_order(9000)  # its customer and stage before the order itself
    out.append(late.customer("Ранний", NOW))
    out.append(late.move("intake", "measurement", NOW + timedelta(hours=2)))
    out.append(late.created(NOW))
    order_id = late.id
    who = uuid.uuid4()
    _, task, task_id = visit(order_id, who, NOW + timedelta(days=1), 1)
    done = scheduling.TaskCompleted(
        task_id=task_id, order_id=order_id, kind="measurement", completed_by=who
    )
    out += [envelope(done, f"task-{task_id}", 2, NOW), task]  # the completion first
    ghost = uuid.uuid4()
    out.append(
        envelope(
            scheduling.VisitCancelled(
                visit_id=ghost, order_id=order_id, kind="measurement", task_id=task_id
            ),
            f"visit-{ghost}",
            3,
            NOW,
        )
    )
    left = scheduling.VisitCheckedOut(
        visit_id=ghost,
        order_id=order_id,
        kind="measurement",
        assignee_id=who,
        at=NOW,
        location=HERE,
    )
    out.append(envelope(left, f"visit-{ghost}", 5, NOW))  # out before in
    arrived = scheduling.VisitCheckedIn(
        visit_id=ghost,
        order_id=order_id,
        kind="measurement",
        assignee_id=who,
        at=NOW - timedelta(hours=1),
        location=HERE,
    )
    out.append(envelope(arrived, f"visit-{ghost}", 4, NOW))
    gone = orders.MediaDetached(order_id=order_id, media_id=uuid.uuid4(), source_event_id=ghost)
    out.append(late.add(gone, NOW))
    return out


async def test_both_paths_keep_the_rules_for_stale_early_and_missing_facts(world: World) -> None:
    """The contract of the two ReadModels adapters: the same facts in the same order give
    the same rows, including facts the interleavings above never produce."""
    events = mixed_history(4)
    events += stale_and_early(events)
    for env in events:
        await world.publish(env)
        await deliver(world.pool, env)

    assert await compare(world.plan()) == {}


async def test_an_event_in_two_logs_is_applied_and_claimed_once(world: World) -> None:
    events = mixed_history(4)
    for env in events:
        await world.publish(env)
        await deliver(world.pool, env)
    # The same orders event in the scheduling outbox too (a producer that republished it).
    twice = next(e for e in events if e.type == "orders.DealTermsRecorded")
    await world.side.execute(
        "INSERT INTO outbox (position, event_id, topic, key, envelope) "
        "VALUES ($1, $2, 't', ''::bytea, $3)",
        10_000,
        twice.event_id,
        twice.model_dump(mode="json"),
    )
    live = await sums(world.pool)

    result = await rebuild(world.plan())

    assert result.events == len(events)
    assert await world.pool.fetchval("SELECT count(*) FROM inbox") == len(events)
    assert await sums(world.pool) == live


async def test_the_catch_up_applies_in_postgresql_what_the_logs_gained_after_the_load(
    world: World,
) -> None:
    """What the swap does: the bulk load up to some position, then the rest through `apply`
    with batched claims, on top of the loaded tables; the logs' second half overlaps the
    first (an event seen before is claimed already and skipped)."""
    events = mixed_history(8)
    half = len(events) // 2
    for env in events[:half]:
        await world.publish(env)
    for env in interleave(events, 5):
        await deliver(world.pool, env)
    live = await sums(world.pool)
    scratch = f"{world.live}_scratch"
    pool = await db.create_pool(world.url, scratch, max_size=1)
    try:
        await db.migrate(pool, scratch, MIGRATIONS)
        async with pool.acquire() as conn:
            result = Result(schema=scratch)
            loaded = await _load(conn, world.plan().sources, result)
            after_load, counted = await stage_counts(conn)  # the cards' COPY counted them
            assert after_load == counted
            for env in events[half:]:
                await world.publish(env)
            caught_up = await _replay(conn, world.plan().sources, result)
            assert (loaded, caught_up) == (half, len(events) - half)
            stored, counted = await stage_counts(conn)  # the COPY's cards, then the catch-up's
            assert stored == counted
            assert stored
            assert await _replay(conn, world.plan().sources, result) == 0
            assert await checksum(conn, CHECKSUM_QUERIES) == live
    finally:
        await pool.close()
        await world.pool.execute(f"DROP SCHEMA {db.quote_ident(scratch)} CASCADE")


async def test_batched_claims_answer_each_new_id_once(world: World) -> None:
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with world.pool.acquire() as conn:
        assert await claim_many(conn, GROUP, [first, second, first]) == {first, second}
        assert await claim_many(conn, GROUP, [second, third]) == {third}
        assert await claim_many(conn, "another", [first]) == {first}


async def _indexes(conn: Any, schema: str) -> list[tuple[str, str, str]]:
    rows = await conn.fetch(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 "
        "ORDER BY tablename, indexname",
        schema,
    )
    return [(r[0], r[1], r[2].replace(f"{schema}.", "")) for r in rows]


async def test_the_swapped_in_schema_has_every_index_the_migrations_make(world: World) -> None:
    """The load drops the indexes and makes them again from the catalog's definitions."""
    for env in mixed_history(2):
        await world.publish(env)
    migrated = await _indexes(world.pool, world.live)
    assert len(migrated) > 20

    await rebuild(world.plan())

    assert await _indexes(world.pool, world.live) == migrated

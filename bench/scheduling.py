"""Booking throughput: our booking path against raw INSERTs into the same visits table.

Ours goes through the application layer (`Visits.book`): a look that the order is known,
then one transaction that reads the member, checks working hours and role, inserts the visit
under the exclusion constraint, creates its task and appends VisitBooked + TaskCreated to the
outbox. Raw is a plain INSERT of the same rows into a copy of the visits table without the
exclusion constraint, from the same number of concurrent writers. Slots never collide, so the
figure is the cost of the guarantees, not of refusals.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from bench import costs
from bench.rounds import OURS, RAW, paired, settle
from contracts.envelope import Actor
from plumbing import db
from plumbing.ordered_log import Outbox
from services.scheduling.adapters import crew_store, order_store, rule_store
from services.scheduling.adapters.order_arrivals import PostgresOrderArrivals
from services.scheduling.application.events import Emitter
from services.scheduling.application.known_orders import KnownOrders
from services.scheduling.application.robots import Robots
from services.scheduling.application.visits import Visits
from services.scheduling.bootstrap import MIGRATIONS
from services.scheduling.domain.defaults import DEFAULT_RULES

BUFFER = timedelta(minutes=30)
MANAGER = Actor(kind="user", id=str(uuid.uuid4()), username="bench", role="manager")


def _slots(members: list[uuid.UUID], count: int) -> list[tuple[uuid.UUID, datetime]]:
    """`count` non-colliding 1-hour slots inside Mon–Fri 09:00–18:00 Moscow, spread over
    members (6 a day each, at 09:00, 10:30, ... so the 30-minute buffer fits)."""
    start = datetime(2030, 1, 7, 6, tzinfo=UTC)  # Monday 09:00 Moscow
    out: list[tuple[uuid.UUID, datetime]] = []
    day = 0
    while len(out) < count:
        if (start + timedelta(days=day)).weekday() < 5:
            out.extend(
                (member, start + timedelta(days=day, minutes=90 * k))
                for member in members
                for k in range(6)
            )
        day += 1
    return out[:count]


async def _prepare(pool: asyncpg.Pool, members: int) -> tuple[list[uuid.UUID], uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(members)]
    order = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        for uid in ids:
            await crew_store.upsert_member(
                conn,
                {
                    "user_id": str(uid),
                    "username": f"m{uid.hex[:6]}",
                    "display_name": "M",
                    "role": "measurer",
                },
            )
        await order_store.created(conn, order, 1, MANAGER.id, datetime.now(UTC), 1)
        await rule_store.seed(conn, DEFAULT_RULES)
    return ids, order


async def _run(
    writers: int,
    jobs: list[tuple[uuid.UUID, datetime]],
    one: Callable[[uuid.UUID, datetime], Awaitable[None]],
) -> float:
    queue = list(jobs)
    started = time.perf_counter()

    async def worker() -> None:
        while queue:
            member, at = queue.pop()
            await one(member, at)

    await asyncio.gather(*(worker() for _ in range(writers)))
    return time.perf_counter() - started


async def _round(url: str, bookings: int, writers: int, ours_first: bool) -> tuple[float, float]:
    schema = f"bench_sched_{uuid.uuid4().hex[:8]}"
    pool = await db.create_pool(url, schema, max_size=writers + 2)
    try:
        await db.migrate(pool, schema, MIGRATIONS)
        await pool.execute(
            "CREATE TABLE raw_visits (LIKE visits INCLUDING DEFAULTS); "
            "ALTER TABLE raw_visits ADD PRIMARY KEY (id)"
        )
        members, order = await _prepare(pool, max(1, bookings // 300 + 1))
        emitter = Emitter(Outbox(pool, schema))
        # The order is known before the first booking, so no listener is needed: never a wait.
        known = KnownOrders(PostgresOrderArrivals(pool, url, schema, poll_s=1), within_s=0)
        visits = Visits(pool, emitter, Robots(emitter), BUFFER, known)
        jobs = _slots(members, bookings)

        async def ours(member: uuid.UUID, at: datetime) -> None:
            await visits.book(order, "measurement", member, at, at + timedelta(hours=1), MANAGER)

        async def raw(member: uuid.UUID, at: datetime) -> None:
            await pool.execute(
                "INSERT INTO raw_visits (id, order_id, kind, assignee_id, starts_at, ends_at, "
                "blocked, task_id) VALUES ($1, $2, 'measurement', $3, $4, $5, "
                "tstzrange($4, $5::timestamptz + $6::interval), $7)",
                uuid.uuid4(),
                order,
                member,
                at,
                at + timedelta(hours=1),
                BUFFER,
                uuid.uuid4(),
            )

        seconds: dict[str, float] = {}
        for number, side in enumerate((OURS, RAW) if ours_first else (RAW, OURS)):
            if number:
                await settle(f"before bookings {side}")
            async with costs.side("bookings", side, len(jobs)):
                seconds[side] = await _run(writers, jobs, ours if side == OURS else raw)
        return seconds[OURS], seconds[RAW]
    finally:
        await pool.execute(f"DROP SCHEMA {db.quote_ident(schema)} CASCADE")
        await pool.close()


async def run_scheduling_bench(
    url: str, bookings: int = 1000, writers: int = 8, rounds: int = 3
) -> list[str]:
    """Lines ready to print: bookings/s with the conflict check vs raw INSERTs, and the ratio."""
    ours, raw = await paired(
        rounds, bookings, lambda ours_first: _round(url, bookings, writers, ours_first), "bookings"
    )
    row = "{:<30}{:>12}{:>12}{:>9}"
    return [
        row.format("visit bookings", "ours bk/s", "raw bk/s", "ratio"),
        row.format(
            f"  {writers} writers ({bookings:,} bk)",
            f"{ours:,.0f}",
            f"{raw:,.0f}",
            f"{ours / raw:.2f}",
        ),
        f"ours: Visits.book (checks, exclusion constraint, task, outbox); raw: INSERT into a "
        f"copy of visits without the constraint; median of {rounds} round(s)",
    ]

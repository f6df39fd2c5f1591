"""Waking the commands that wait for an order scheduling has not heard of yet
(application/known_orders.py), and an in-memory fake of the same port.

Why LISTEN/NOTIFY and not just a short poll: a waiting command should go on the moment the
consumer commits the order, and a poll quick enough for that (tens of milliseconds) costs a
query per waiter per tick, which multiplies exactly when many orders are being created and
booked at once. Here one listening connection per process serves every waiter, and a trigger
on `known_orders` notifies at commit, whichever path inserted the row (`OrderCreated`, or a
`StageChanged` seen first after a rewind). A notification can still be missed (the listening
connection is being re-established, or is not up yet), so each waiter also re-checks on a slow
poll: a missed wake-up delays a command by one poll interval, it never fails it early.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from uuid import UUID

import asyncpg

from plumbing import db
from services.scheduling.adapters import order_store

log = logging.getLogger(__name__)

# Migration step: a notification when scheduling first learns of an order. An AFTER INSERT
# trigger fires only for rows actually inserted, not for the ON CONFLICT update a redelivered
# OrderCreated makes, and NOTIFY is delivered at commit, so a woken waiter sees the row.
# (Commits that notify are serialized by PostgreSQL; one per new order is cheap.)
ORDER_ARRIVALS_DDL = """
CREATE OR REPLACE FUNCTION known_order_arrived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_known_orders', NEW.id::text);
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER known_order_arrived AFTER INSERT ON known_orders
    FOR EACH ROW EXECUTE FUNCTION known_order_arrived();
"""
# A dead TCP connection delivers nothing and reports nothing until something is sent on it.
PROBE_INTERVAL_S = 10.0
PROBE_TIMEOUT_S = 5.0


def channel(schema: str) -> str:
    """The trigger's channel: one per schema, so two deployments sharing a database (or the
    tests' schemas) do not wake each other's waiters."""
    return f"{schema}_known_orders"


class PostgresOrderArrivals:
    def __init__(self, pool: asyncpg.Pool, database_url: str, schema: str, poll_s: float) -> None:
        self.pool = pool
        self.database_url = database_url
        self.schema = schema
        self.poll_s = poll_s
        self._waiters: dict[UUID, set[asyncio.Event]] = {}

    @property
    def waiting(self) -> int:
        """Commands waiting right now (for tests and for a look at a live process)."""
        return sum(len(events) for events in self._waiters.values())

    async def wait_known(self, order_id: UUID, timeout_s: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        woken = asyncio.Event()
        # Registered before the first check: a notification sent between the check and the
        # wait below must find us, or we would sleep through it until the next poll.
        self._waiters.setdefault(order_id, set()).add(woken)
        try:
            while True:
                woken.clear()  # before the check, so a wake-up after it is never lost
                if await order_store.exists(self.pool, order_id):
                    return True
                left = deadline - loop.time()
                if left <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), min(left, self.poll_s))
        finally:
            events = self._waiters[order_id]
            events.discard(woken)
            if not events:
                del self._waiters[order_id]

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            order_id = UUID(str(payload))
        except ValueError:
            return  # not from our trigger; nobody waits for it
        for woken in self._waiters.get(order_id, ()):
            woken.set()

    async def run(self) -> None:
        """Background job: hold the listening connection, re-establishing it if it fails.
        Without it waiters still proceed, by their poll."""
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("order arrivals listener failed; reconnecting", exc_info=True)
                await asyncio.sleep(1)

    async def _listen(self) -> None:
        conn = await db.connect(self.database_url, self.schema)
        try:
            await conn.add_listener(channel(self.schema), self._notified)
            # Orders may have arrived while nobody was listening: every waiter looks again.
            for events in self._waiters.values():
                for woken in events:
                    woken.set()
            while True:
                await asyncio.wait_for(conn.fetchval("SELECT 1"), PROBE_TIMEOUT_S)
                await asyncio.sleep(PROBE_INTERVAL_S)
        finally:
            await conn.close(timeout=PROBE_TIMEOUT_S)


class MemoryOrderArrivals:
    """The in-memory fake: an order becomes known when `arrive` is called."""

    def __init__(self, known: Iterable[UUID] = ()) -> None:
        self.known = set(known)
        self._arrived: dict[UUID, asyncio.Event] = {}

    def arrive(self, order_id: UUID) -> None:
        self.known.add(order_id)
        if order_id in self._arrived:
            self._arrived[order_id].set()

    async def wait_known(self, order_id: UUID, timeout_s: float) -> bool:
        if order_id in self.known:
            return True
        arrived = self._arrived.setdefault(order_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.wait(), timeout_s)
        return order_id in self.known

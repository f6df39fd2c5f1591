"""Stage timers: started when an order enters a stage, fired once when it overstays.

Durable (rows in PostgreSQL, so a restart loses nothing) and safe with several replicas: each
pass claims due rows with FOR UPDATE SKIP LOCKED, marks them fired and writes OrderOverdue in
the same transaction. The OrderOverdue id is derived from (order, stage, entry time), so even
a timer somehow fired twice would add nothing to the outbox the second time.

The limit is the stage's `limit_hours` in the order's own pipeline version, read when the
timer is claimed: an order of a version scheduling has not heard of yet waits, not guesses.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.envelope import Actor
from contracts.events.scheduling import OrderOverdue
from plumbing.db import UNAVAILABLE, Conn
from services.scheduling.adapters import order_store, pipeline_store, timer_store
from services.scheduling.application.events import Emitter, Pending
from services.scheduling.application.robots import Robots

log = logging.getLogger(__name__)
_OVERDUE_NS = uuid.UUID("6f1c3f8e-2b0a-4c55-9d3e-0b7e4a3c2f10")


async def on_stage_entered(
    conn: Conn, order_id: UUID, stage: str, at: datetime, *, imported: bool = False
) -> None:
    order = await order_store.get(conn, order_id)
    limited = await pipeline_store.has_limit(conn, order.pipeline_version, stage) if order else None
    if limited is False:  # a terminal stage, or one without a limit: nothing to watch
        await timer_store.stop(conn, order_id, at)
    else:  # a limit, or a version not heard of yet: the claim decides once it is known
        await timer_store.start(conn, order_id, stage, at, imported=imported)


class StageTimers:
    def __init__(
        self, pool: asyncpg.Pool, emitter: Emitter, robots: Robots, interval_s: float
    ) -> None:
        self.pool = pool
        self.emitter = emitter
        self.robots = robots
        self.interval_s = interval_s

    async def fire_due(self, batch: int = 100) -> int:
        """One pass: fire every due timer this replica could claim. Returns how many."""
        now = self.emitter.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            due = await timer_store.claim_due(conn, now, batch)
            for timer in due:
                await timer_store.mark_fired(conn, timer.order_id, now)
                event = OrderOverdue(
                    order_id=timer.order_id,
                    stage=timer.stage,
                    entered_at=timer.entered_at,
                    limit_hours=timer.limit_hours,
                    late_when_imported=timer.late_when_imported,
                )
                key = f"{timer.order_id}:{timer.stage}:{timer.entered_at.isoformat()}"
                pending = Pending(
                    event,
                    f"timer-{timer.order_id}",
                    Actor.system(),
                    event_id=uuid.uuid5(_OVERDUE_NS, key),
                )
                for envelope in await self.emitter.emit(conn, [pending]):
                    if not timer.late_when_imported:  # see OrderOverdue's v2
                        await self.robots.fire(conn, envelope)
        return len(due)

    async def run(self) -> None:
        while True:
            try:
                while await self.fire_due() > 0:
                    pass  # a backlog drains at once, not one batch per interval
            except UNAVAILABLE as exc:
                log.warning("stage timers: database unavailable (%s)", exc)
            except Exception:
                log.exception("stage timers pass failed")
            await asyncio.sleep(self.interval_s)

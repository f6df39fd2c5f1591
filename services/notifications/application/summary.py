"""The directors' summary at 08:00 (company zone), once per day across restarts and replicas:
the day is claimed by a row in the same transaction that writes the notices. It tells the
overdue orders and tasks (this service's own facts) and the crew over their hours tomorrow
(scheduling's answer, through the CrewLoad port; waited for a while when it cannot answer)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from services.notifications.adapters import facts_store, inbox_store
from services.notifications.application.crew_load import CrewLoad
from services.notifications.application.notices import Notice, Notices
from services.notifications.domain import messages
from services.notifications.domain.summary import LOAD_GRACE, Overloaded, due_at, summary_day

log = logging.getLogger(__name__)
SUMMARY_NAMESPACE = uuid.UUID("6f1d3c2e-8b1a-4c4e-9a57-0c1b5e2f7d10")


class SummarySender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        notices: Notices,
        crew_load: CrewLoad,
        timezone: str,
        hour: int = 8,
        interval_s: float = 30,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pool = pool
        self.notices = notices
        self.crew_load = crew_load
        self.timezone = timezone
        self.hour = hour
        self.interval_s = interval_s
        self.clock = clock

    async def run(self) -> None:
        while True:
            try:
                await self.send_if_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the daily summary failed; will retry")
            await asyncio.sleep(self.interval_s)

    async def send_if_due(self) -> bool:
        """True if this call sent today's summary; False before 08:00 or when it was sent."""
        now = self.clock()
        day = summary_day(now, self.timezone, self.hour)
        if day is None:
            return False
        if await self.pool.fetchval("SELECT true FROM summaries_sent WHERE day = $1", day):
            return False  # sent: scheduling is not asked again every interval all day
        overloaded: list[Overloaded] | None
        try:
            overloaded = await self.crew_load.overloaded(day + timedelta(days=1))
        except Exception:
            if now < due_at(day, self.timezone, self.hour) + LOAD_GRACE:
                log.warning("the crew's load is unavailable; the summary waits", exc_info=True)
                return False
            log.exception("the crew's load is unavailable; the summary goes without it")
            overloaded = None
        async with self.pool.acquire() as conn, conn.transaction():
            claimed = await conn.fetchval(
                "INSERT INTO summaries_sent (day, sent_at) VALUES ($1, $2) "
                "ON CONFLICT (day) DO NOTHING RETURNING true",
                day,
                now,
            )
            if not claimed:
                return False
            message = messages.summary(
                await facts_store.overdue_numbers(conn),
                await facts_store.overdue_tasks(conn, now),
                overloaded,
            )
            cause = uuid.uuid5(SUMMARY_NAMESPACE, day.isoformat())
            for director in await inbox_store.users_with_role(conn, "director"):
                await self.notices.tell(
                    conn, Notice(director, None, cause, "summary", message, False), now
                )
            return True

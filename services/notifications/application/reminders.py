"""The reminder loop: sends due reminders once, safely with several replicas."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from services.notifications.adapters import reminder_store
from services.notifications.application.notices import Notice, Notices
from services.notifications.domain import messages

log = logging.getLogger(__name__)


class ReminderSender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        timezone: str,
        interval_s: float = 30,
        notices: Notices | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pool = pool
        self.timezone = timezone
        self.interval_s = interval_s
        self.notices = notices or Notices({}, timezone)
        self.clock = clock

    async def run(self) -> None:
        while True:
            try:
                while await self.send_due() > 0:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sending reminders failed; will retry")
            await asyncio.sleep(self.interval_s)

    async def send_due(self, batch: int = 100) -> int:
        """Claim due reminders (SKIP LOCKED: two replicas never take the same one), turn each
        into a notice (inbox and deliveries) and mark it sent, all in one transaction."""
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await reminder_store.claim_due(conn, batch, now)
            for r in rows:
                cause = uuid.uuid5(r["visit_id"], f"reminder:{r['kind']}:{r['starts_at']}")
                tz = r["timezone"] or self.timezone
                message = messages.reminder(
                    r["kind"], r["visit_kind"], r["starts_at"], r["number"], tz
                )
                notice = Notice(
                    r["user_id"], r["order_id"], cause, "reminder", message, timezone=tz
                )
                await self.notices.tell(conn, notice, now)
                await reminder_store.mark_sent(conn, r["visit_id"], r["kind"], now)
            return len(rows)

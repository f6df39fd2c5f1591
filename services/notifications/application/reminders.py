"""The reminder loop: sends due reminders once, safely with several replicas."""

from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg

from services.notifications.adapters import inbox_store, reminder_store
from services.notifications.domain import messages

log = logging.getLogger(__name__)


class ReminderSender:
    def __init__(self, pool: asyncpg.Pool, timezone: str, interval_s: float = 30) -> None:
        self.pool = pool
        self.timezone = timezone
        self.interval_s = interval_s

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
        into an inbox notification and mark it sent, all in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await reminder_store.claim_due(conn, batch)
            for r in rows:
                cause = uuid.uuid5(r["visit_id"], f"reminder:{r['kind']}:{r['starts_at']}")
                message = messages.reminder(
                    r["kind"], r["visit_kind"], r["starts_at"], r["number"], self.timezone
                )
                await inbox_store.notify(conn, r["user_id"], r["order_id"], cause, message)
                await reminder_store.mark_sent(conn, r["visit_id"], r["kind"])
            return len(rows)

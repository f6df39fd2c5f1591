"""The reminder loop: sends due reminders once, safely with several replicas."""

from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg

from services.notifications.adapters import inbox_store
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
            rows = await conn.fetch(
                "SELECT r.visit_id, r.kind, r.user_id, r.order_id, r.visit_kind, r.starts_at, "
                "o.number FROM reminders r LEFT JOIN known_orders o USING (order_id) "
                "WHERE r.sent_at IS NULL AND r.due_at <= now() "
                "ORDER BY r.due_at LIMIT $1 FOR UPDATE OF r SKIP LOCKED",
                batch,
            )
            for r in rows:
                cause = uuid.uuid5(r["visit_id"], f"reminder:{r['kind']}:{r['starts_at']}")
                message = messages.reminder(
                    r["kind"], r["visit_kind"], r["starts_at"], r["number"], self.timezone
                )
                await inbox_store.notify(conn, r["user_id"], r["order_id"], cause, message)
                await conn.execute(
                    "UPDATE reminders SET sent_at = now() WHERE visit_id = $1 AND kind = $2",
                    r["visit_id"],
                    r["kind"],
                )
            return len(rows)

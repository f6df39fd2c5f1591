"""Drains the delivery outbox: one loop per channel, so a slow or failing channel never holds
up another, and none runs inside the event consumers.

At least once: a delivery is leased, sent outside any transaction, then recorded. A process
that dies between the server accepting and the record being written sends it again after the
lease, with the same message id (the Message-ID of an e-mail, the Topic of a push), so the
receiving side can tell it is the same message.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import asyncpg

from services.notifications.adapters import outbox_store
from services.notifications.application.channels import (
    Channel,
    Failed,
    Gone,
    Outcome,
    Outgoing,
    Retry,
    Sent,
)
from services.notifications.domain.routing import backoff_s

log = logging.getLogger(__name__)


class Deliverer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        channels: Mapping[str, Channel],
        base_url: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        jitter: Callable[[], float] = random.random,
        max_attempts: int = 8,
        lease: timedelta = timedelta(minutes=2),
        interval_s: float = 1.0,
        batch: int = 20,
    ) -> None:
        self.pool = pool
        self.channels = dict(channels)
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.jitter = jitter
        self.max_attempts = max_attempts
        self.lease = lease
        self.interval_s = interval_s
        self.batch = batch

    def jobs(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        """A loop per channel."""
        return [partial(self._loop, name) for name in self.channels]

    async def _loop(self, channel: str) -> None:
        while True:
            try:
                while await self.drain(channel) > 0:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("draining %s deliveries failed; will retry", channel)
            await asyncio.sleep(self.interval_s)

    async def drain(self, channel: str) -> int:
        """Send one batch of due deliveries of `channel`; how many were tried."""
        sender = self.channels[channel]
        rows = await outbox_store.claim(self.pool, channel, self.clock(), self.lease, self.batch)
        await asyncio.gather(*(self._one(sender, r) for r in rows))
        return len(rows)

    async def _one(self, sender: Channel, row: asyncpg.Record) -> None:
        if row["expires_at"] is not None and self.clock() >= row["expires_at"]:
            # A customer's confirmation retried past its evening (customer_sms.expires_at):
            # parked unsent, for an admin to see, rather than «завтра» on the day itself.
            await outbox_store.settle(
                self.pool, row["id"], "parked", "too late: past 21:00 the evening before the visit"
            )
            return
        number = row["number"]
        message = Outgoing(
            message_id=row["message_id"],
            user_id=row["user_id"],
            address=row["address"],
            title=f"Заказ №{number}" if number else "Уведомление",
            body=row["text_ru"],
            url=self._link(row["order_id"]),
            urgent=row["urgent"],
        )
        try:
            outcome: Outcome = await sender.send(message)
        except Exception as exc:  # an adapter's bug must not stop the loop: retry, then park
            log.exception("channel %s raised", sender.name)
            outcome = Retry(f"{type(exc).__name__}: {exc}")
        await self._record(row, outcome)

    def _link(self, order_id: object) -> str:
        # The web app routes by hash (web/src/app/routes.ts).
        return f"{self.base_url}/#/order/{order_id}" if order_id else f"{self.base_url}/"

    async def _record(self, row: asyncpg.Record, outcome: Outcome) -> None:
        now = self.clock()
        match outcome:
            case Sent():
                await outbox_store.mark_sent(self.pool, row["id"], now)
            case Gone(reason=reason):
                await outbox_store.settle(self.pool, row["id"], "gone", reason)
            case Failed(reason=reason):
                await outbox_store.settle(self.pool, row["id"], "parked", reason)
            case Retry(reason=reason, after_s=after_s):
                if row["attempts"] >= self.max_attempts:
                    await outbox_store.settle(
                        self.pool, row["id"], "parked", f"gave up after {row['attempts']}: {reason}"
                    )
                    return
                delay = backoff_s(row["attempts"], self.jitter())
                if after_s is not None:
                    delay = max(delay, after_s)
                await outbox_store.retry_at(
                    self.pool, row["id"], now + timedelta(seconds=delay), reason
                )

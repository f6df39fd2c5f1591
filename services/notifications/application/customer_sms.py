"""Customer confirmations (issue 20): the day before a visit the customer gets an SMS.

Runs inside the event consumer's transaction (apply.py calls it), so a redelivered event
schedules nothing new. Every change that could alter the SMS — the visit booked, moved or
cancelled, the customer's consent recorded or withdrawn, their phone changed — recomputes the
order's waiting SMS from what is known: the waiting one is cancelled and the right one (if
any) scheduled. Orders and visits travel on topics of their own, so either may come first;
recomputing from both sides makes the order of arrival irrelevant.

Off unless the company turned it on (Settings.customer_sms) and an SMS channel is configured;
the facts are kept either way, and the service catches up at start (`catch_up`): turning it
on serves the visits already booked, not only those booked or moved from then on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from plumbing.db import Conn
from services.notifications.adapters import customer_sms_store as store
from services.notifications.adapters.customer_sms_store import SMS, CustomerVisit
from services.notifications.application.notices import message_id
from services.notifications.domain import customer_sms


class CustomerConfirmations:
    def __init__(
        self,
        enabled: bool,
        timezone: str,
        company_name: str = "",
        company_phone: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.enabled = enabled
        self.timezone = timezone  # the company's: its customers live where it works
        self.company_name = company_name
        self.company_phone = company_phone
        self.clock = clock

    async def phone(self, conn: Conn, order_id: uuid.UUID, phone: str) -> None:
        await store.set_phone(conn, order_id, phone)
        await self._order(conn, order_id, "phone changed")

    async def consent(self, conn: Conn, order_id: uuid.UUID, given: bool) -> None:
        await store.set_consent(conn, order_id, given)
        await self._order(conn, order_id, "consent withdrawn" if not given else "recomputed")

    async def visit_set(self, conn: Conn, visit: CustomerVisit) -> None:
        await store.remember_visit(conn, visit)
        await store.cancel_waiting(conn, visit.visit_id, "visit moved")
        await self._schedule(conn, visit, await store.reachable(conn, visit.order_id))

    async def visit_cancelled(self, conn: Conn, visit_id: uuid.UUID) -> None:
        await store.cancel_waiting(conn, visit_id, "visit cancelled")
        await store.forget_visit(conn, visit_id)

    async def catch_up(self, conn: Conn) -> int:
        """Every upcoming visit gets the SMS it would have got had confirmations been on when
        it was booked (they were off, or this release had none). Safe to repeat and to run on
        every replica at once: an SMS is keyed by its visit, time and phone, so one waiting or
        sent is left as it is. Returns how many visits were looked at."""
        if not self.enabled:
            return 0
        upcoming = await store.upcoming_visits(conn, self.clock())
        for visit in upcoming:
            await self._schedule(conn, visit, await store.reachable(conn, visit.order_id))
        return len(upcoming)

    async def _order(self, conn: Conn, order_id: uuid.UUID, reason: str) -> None:
        to = await store.reachable(conn, order_id)
        for visit in await store.visits_of(conn, order_id):
            await store.cancel_waiting(conn, visit.visit_id, reason)
            await self._schedule(conn, visit, to)

    async def _schedule(self, conn: Conn, visit: CustomerVisit, to: store.Reachable) -> None:
        phone = to.phone
        if not (self.enabled and to.consent) or not phone:
            return
        due = customer_sms.due_at(visit.starts_at, self.clock(), self.timezone)
        if due is None:
            return
        text = customer_sms.text(
            visit.kind,
            visit.starts_at,
            visit.ends_at,
            self.timezone,
            self.company_name,
            self.company_phone,
        )
        # One SMS per visit, time and phone: the key makes a second scheduling of the same
        # one a no-op, and its message id stays the same across a resend.
        key = uuid.uuid5(
            visit.visit_id, f"sms:{visit.starts_at.isoformat()}:{visit.ends_at.isoformat()}"
        )
        expires = customer_sms.expires_at(visit.starts_at, self.timezone)
        await store.schedule(
            conn, key, visit, phone, message_id(key, SMS, phone), text, due, expires
        )

"""One path for every notice: the inbox row (the in-app channel, which the live stream reads)
and a delivery per other channel the person has enabled, all in the caller's transaction.

Every notice comes through here: the defaults table's (apply.py), the robots' own `notify`,
reminders and the directors' summary. Channels other than the inbox are named by the wiring
(bootstrap.py); for each, an AddressBook says where a person is reached on it (their e-mail
address, each push subscription, a linked Telegram chat).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from plumbing.db import Conn
from services.notifications.adapters import inbox_store, outbox_store, preferences_store
from services.notifications.domain import routing
from services.notifications.domain.messages import Message

INAPP = "inapp"
HELD_FOR = timedelta(days=1)


class AddressBook(Protocol):
    """Where one channel reaches a person: none, one or several addresses."""

    async def addresses(self, conn: Conn, user_id: uuid.UUID) -> list[str]: ...


class EmailAddresses:
    """The address the gateway's user directory holds (identity events carry it)."""

    async def addresses(self, conn: Conn, user_id: uuid.UUID) -> list[str]:
        person = await inbox_store.recipient(conn, user_id)
        return [person.email] if person and person.active and person.email else []


@dataclass(frozen=True)
class Notice:
    user_id: uuid.UUID
    order_id: uuid.UUID | None
    cause: uuid.UUID  # with user_id, what makes the notice happen once
    kind: str
    message: Message
    personal: bool = True  # addressed to the person by name, not to their role
    starts_at: datetime | None = None  # the visit's or task's moment: judges urgency
    timezone: str | None = None  # the person's zone when known (a crew member's)


def message_id(notice_id: uuid.UUID, channel: str, address: str) -> str:
    """Stable for the notice on this channel and address: a resend is recognisably the same."""
    return str(uuid.uuid5(notice_id, f"{channel}:{address}"))


class Notices:
    def __init__(self, books: Mapping[str, AddressBook], company_timezone: str) -> None:
        self.books = {name: book for name, book in books.items() if name != INAPP}
        self.company_timezone = company_timezone

    async def tell(self, conn: Conn, notice: Notice, now: datetime) -> uuid.UUID | None:
        """The new notice's id, None if this person already had it (a redelivered event)."""
        notice_id = await inbox_store.notify(
            conn,
            notice.user_id,
            notice.order_id,
            notice.cause,
            notice.message,
            notice.kind,
            now,
        )
        if notice_id is None:
            return None
        await self.deliver(conn, notice_id, notice, now)
        return notice_id

    async def deliver(
        self, conn: Conn, notice_id: uuid.UUID, notice: Notice, now: datetime
    ) -> None:
        person = await inbox_store.recipient(conn, notice.user_id)
        if person is None:
            # Not heard of yet (a user made a moment ago): routed when they are (late()).
            await inbox_store.hold(
                conn, notice_id, notice.personal, notice.starts_at, notice.timezone
            )
            return
        if not person.active:
            return  # the inbox keeps it; nobody to reach elsewhere
        chosen = await preferences_store.chosen(conn, notice.user_id)
        tz = notice.timezone or self.company_timezone
        is_urgent = routing.urgent(notice.kind, notice.starts_at, now, tz)
        due = routing.release_at(
            now, await preferences_store.quiet(conn, notice.user_id), is_urgent
        )
        if notice.kind == "media_uploaded":
            # The group stays open this long; its deliveries tell the final count.
            due = max(due, now + routing.MEDIA_GROUP_WINDOW)
        for channel, book in self.books.items():
            if not routing.enabled(person.role, notice.kind, channel, chosen, notice.personal):
                continue
            for address in await book.addresses(conn, notice.user_id):
                await outbox_store.enqueue(
                    conn,
                    notice_id,
                    notice.user_id,
                    channel,
                    address,
                    message_id(notice_id, channel, address),
                    due,
                    is_urgent,
                )

    async def late(self, conn: Conn, user_id: uuid.UUID, now: datetime) -> None:
        """The person is known now: their notices held for it go to their channels (those of
        the last day; older news is stale on a phone)."""
        for row in await inbox_store.take_held(conn, user_id, now - HELD_FOR):
            notice = Notice(
                user_id,
                row["order_id"],
                row["cause_id"],
                row["kind"],
                Message(row["text_ru"], row["text_en"]),
                row["personal"],
                row["starts_at"],
                row["timezone"],
            )
            await self.deliver(conn, row["id"], notice, now)

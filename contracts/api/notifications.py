"""The caller's inbox (API.md, Notifications)."""

from __future__ import annotations

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Timestamp


class Notification(Shown):
    id: Id
    seq: int | None = None
    order_id: Id | None = None
    text: str
    read: bool | None = None
    created_at: Timestamp


INBOX = Views.of(list[Notification])


class Read(Shown):
    status: str


READ = Views.of(Read)


class PushedNotification(Shown):
    """An `event: notification` frame's data on GET /events/stream."""

    id: Id
    order_id: Id | None = None
    text: str
    created_at: Timestamp | None = None


PUSHED = Views.of(PushedNotification)


class StageChangePush(Shown):
    """A `board` or `chat` frame's data on GET /events/stream: which order changed and how,
    never a field value (a client refetches what it shows)."""

    seq: int
    order_id: Id | None = None
    type: str
    stage: str | None = None
    at: Timestamp | None = None

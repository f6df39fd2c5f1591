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

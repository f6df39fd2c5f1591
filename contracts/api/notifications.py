"""The caller's inbox (API.md, Notifications)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

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


class StreamReady(Shown):
    """The `ready` frame: where the stream starts (`cursor` is also the frame's id)."""

    seq: int
    cursor: str


class StreamReauth(Shown):
    """The `reauth` frame, the stream's last: why it ends (the client reconnects with a
    fresh token and `Last-Event-ID`)."""

    reason: Literal["token_expired", "user_inactive", "role_changed", "unverified"]
    cursor: str


def _frame(events: list[str], data: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"enum": events},
            "id": {"type": "string"},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data.model_json_schema(),
            },
        },
    }


# One server-sent event of GET /events/stream, as a client parses it: each kind of frame with
# the JSON its `data` line holds (the OpenAPI's schema for `text/event-stream`).
STREAM_EVENT: dict[str, Any] = {
    "oneOf": [
        _frame(["ready"], StreamReady),
        _frame(["board", "chat"], StageChangePush),
        _frame(["notification"], PushedNotification),
        _frame(["reauth"], StreamReauth),
    ]
}

"""The caller's inbox (API.md, Notifications)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Input, Timestamp


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


# Issue 16: who hears what, on which channels. The kinds and channels are the notifications
# service's table (services/notifications/domain/routing.py); named here so a client and the
# OpenAPI know them.
NoticeKind = Literal[
    "visit_booked",
    "visit_moved",
    "visit_cancelled",
    "task_assigned",
    "task_completed",
    "stage_changed",
    "move_refused",
    "production_finished",
    "media_uploaded",
    "overdue",
    "reminder",
    "summary",
    "mention",
    "order_created",
    "robot",
]
ChannelName = Literal["inapp", "email", "webpush", "telegram"]
LocalTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])]


class QuietHoursIn(Input):
    """Reminders, summaries and other non-urgent notices wait until `end`; urgent ones (a
    visit moved or cancelled within 24 hours, an assignment for today) do not."""

    start: LocalTime
    end: LocalTime
    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/Moscow"])


class QuietHoursOut(Shown):
    start: str
    end: str
    timezone: str


class Preferences(Shown):
    """Per kind, per channel: on or off (the person's choice, or their role's default).
    `locked`: the pairs that never leave the app for this person's role (field roles hear
    only of their own visits and tasks outside the inbox)."""

    kinds: list[NoticeKind]
    channels: list[ChannelName]
    choices: dict[str, dict[str, bool]]
    locked: dict[str, list[str]]
    quiet_hours: QuietHoursOut | None = None


PREFERENCES = Views.of(Preferences)


class PreferencesIn(Input):
    """Only what changes: the choices named, and quiet hours (null turns them off; absent
    leaves them as they are)."""

    choices: dict[NoticeKind, dict[ChannelName, StrictBool]] = Field(default_factory=dict)
    quiet_hours: QuietHoursIn | None = None


class Delivery(Shown):
    """One message on one channel to one address (admins: GET /notifications/deliveries)."""

    id: int
    notice_id: Id
    user_id: Id | None = Field(default=None, description="None: an SMS to the order's customer")
    username: str | None = None
    channel: str = Field(description="inapp, email, webpush, telegram, or sms (to a customer)")
    address: str
    message_id: str
    state: Literal["pending", "sent", "gone", "parked", "cancelled"] = Field(
        description="cancelled: a customer's SMS whose visit moved or was cancelled first"
    )
    # The order's number, not its id: admin sees no order (roles), and the number is what
    # the row's text already says.
    order_number: int | None = None
    text: str | None = Field(default=None, description="a customer's SMS: what it says")
    attempts: int
    next_attempt_at: Timestamp
    last_error: str | None = None
    created_at: Timestamp
    sent_at: Timestamp | None = None


DELIVERIES = Views.of(list[Delivery])

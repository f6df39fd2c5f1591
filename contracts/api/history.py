"""The order's history and chat (API.md, Orders), per audience: a restricted audience's
history leaves out the deal and every entry about a hidden file or condition, and its event
data lists only the keys of the events it is shown."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from contracts.api.audience import Shown, Views
from contracts.api.cards import CustomerOut, MeasurementResultsOut
from contracts.api.common import Id, JsonObject, Timestamp
from contracts.api.hidden import visible_history


class ActorOut(Shown):
    kind: str
    id: str | None = None
    username: str | None = None
    role: str | None = None
    rule_id: str | None = None
    name: str | None = None


class HistoryEntry(Shown):
    event_id: Id
    type: str
    at: Timestamp
    version: int | None = None
    actor: ActorOut
    caused_by: str | None = None
    summary: str
    data: JsonObject = Field(description="the event's data (its JSON Schema: contracts/schemas)")


class RefusedCondition(Shown):
    """A condition in an AutoMoveRefused event's data."""

    code: str
    message_ru: str | None = None
    message_en: str | None = None


class MentionOut(Shown):
    user_id: str
    username: str


class PointOut(Shown):
    lat: float
    lon: float


class CountedPhotoOut(Shown):
    media_id: Id
    filename: str
    reason: str
    distance_m: float | None = None


class RestrictedHistoryData(Shown):
    """The event data keys a restricted audience may read: every key of the order events
    it is shown (a deal's keys are on no such event; an event about a commercial document
    is left out whole)."""

    order_id: Id | None = None
    number: int | None = None
    title: str | None = None
    customer: CustomerOut | None = None
    description: str | None = None
    manager_id: str | None = None
    pipeline_version: int | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    direction: str | None = None
    reason: str | None = None
    by_rule_id: str | None = None
    rule_id: str | None = None
    cause_event_id: str | None = None
    unmet: list[RefusedCondition] | None = None
    comment_id: Id | None = None
    text: str | None = None
    mentions: list[MentionOut] | None = None
    media_id: Id | None = None
    kind: str | None = None
    purpose: str | None = None
    filename: str | None = None
    source_event_id: str | None = None
    visit_id: Id | None = None
    task_id: Id | None = None
    status: str | None = None
    assignee_id: Id | None = None
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    completed_by: Id | None = None
    results: MeasurementResultsOut | None = None
    # Issue 15: who took a photo where and when, check-ins, the site's pin, reviews, and the
    # photos that opened a gate — facts of the field's own work, nothing commercial.
    uploaded_by: Id | None = None
    uploader_role: str | None = None
    taken_at: Timestamp | None = None
    location: PointOut | None = None
    booked_at: Timestamp | None = None
    act: str | None = None
    at: Timestamp | None = None
    by_check_in: Id | None = None
    decision: str | None = None
    stage: str | None = None
    photos: list[CountedPhotoOut] | None = None


class RestrictedHistoryEntry(HistoryEntry):
    data: RestrictedHistoryData  # type: ignore[assignment]


HISTORY = Views.of(
    list[HistoryEntry],
    Annotated[list[RestrictedHistoryEntry], BeforeValidator(visible_history)],
)


class Author(Shown):
    id: str | None = None
    username: str | None = None
    role: str | None = None


class Comment(Shown):
    id: Id
    text: str
    author: Author
    mentions: list[MentionOut] = Field(default_factory=list)
    at: Timestamp


COMMENTS = Views.of(list[Comment])


class NotNotifiedOut(Shown):
    username: str
    reason: str = Field(
        description="unknown_user, inactive, no_access, access_unavailable or too_many_mentions"
    )


class CommentPosted(Shown):
    """POST /orders/{id}/comments: `not_notified` names each mentioned user who was not
    notified, and why."""

    id: Id
    text: str
    mentions: list[MentionOut] = Field(default_factory=list)
    version: int
    not_notified: list[NotNotifiedOut] = Field(default_factory=list)


POSTED = Views.of(CommentPosted)

"""Events of the orders service (topic `orders.events`, stream `order-<id>`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.common import (
    Customer,
    CustomerV1,
    GeoPoint,
    MeasurementResults,
    MediaKind,
    VisitKind,
)
from contracts.pipeline import PipelineDefinition


class OrderCreatedV1(BaseModel):
    """First shape: the customer address was one free-text line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    number: int
    title: str
    customer: CustomerV1
    description: str | None = None
    manager_id: str | None = None
    pipeline_version: int = 1


class OrderCreatedV2(BaseModel):
    """v2: `customer.address` is structured (city, street, building, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    number: int = Field(ge=1)
    title: str
    customer: Customer
    description: str | None = None
    manager_id: str | None = None
    pipeline_version: int = 1


class OrderCreated(OrderCreatedV2):
    """v3 adds `imported_from` (issue 20): the order was made in another system, at the
    envelope's `occurred_at`, and brought over. Its creation is history, not news: nobody is
    told of it, and a stage limit it had already overstayed when it came raises no alert one
    order at a time (the board and the directors' morning summary still show it late)."""

    imported_from: str | None = None


def upcast_order_created_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 → v2: a free-text address becomes `{"text": ...}`; nothing is guessed from it."""
    customer = dict(data["customer"])
    customer["address"] = {"text": customer["address"]}
    return {**data, "customer": customer}


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PipelinePublished(_Event):
    """A pipeline version, whole (stream `pipeline`: its event N is version N, appended at
    expected version N-1). Published
    once per version: when a director saves one, and for every version stored before this
    event existed, at the orders service's first start after the upgrade. New orders take the
    newest version; an order keeps its `pipeline_version` for life."""

    version: int = Field(ge=1)
    definition: PipelineDefinition


class CustomerUpdated(_Event):
    order_id: UUID
    customer: Customer


class ManagerAssigned(_Event):
    order_id: UUID
    manager_id: str


class StageChangedV1(_Event):
    """The order moved. `by_rule_id`/`cause_event_id` say which robot and which fact moved
    it, when a robot did; `reason` is required for back moves and cancellation."""

    order_id: UUID
    from_stage: str
    to_stage: str
    direction: Literal["forward", "back", "cancel"]
    reason: str | None = None
    by_rule_id: str | None = None
    cause_event_id: UUID | None = None


class StageChanged(StageChangedV1):
    """The order moved. v2 adds `imported_from` (issue 20): the move happened in another
    system, at the envelope's `occurred_at`, and is brought over as history — it counts in
    the stage durations like any move, but is no fact to react to now: robots do not fire on
    it and nobody is notified of it. Absent (None) on every move made here and on v1 events."""

    imported_from: str | None = None


class UnmetCondition(_Event):
    code: str
    message_ru: str
    message_en: str


class AutoMoveRefused(_Event):
    """A robot asked to move the order, and the gate did not hold."""

    order_id: UUID
    from_stage: str
    to_stage: str
    unmet: list[UnmetCondition]
    rule_id: str
    cause_event_id: UUID


class DealTermsRecorded(_Event):
    """Commercial: hidden from field roles and production on every path."""

    order_id: UUID
    amount: Decimal
    decor: str
    finishing: str
    extra_work: str
    payment_terms: str


class TitleChanged(_Event):
    """The order's title was changed (a re-run of an import brings the source's new title)."""

    order_id: UUID
    title: str = Field(min_length=1, max_length=300)


class OrderImported(_Event):
    """The order came from another system (issue 20): which record of which source it is, so
    a re-run finds it again, and what that record held that has no field of its own here.
    Appended with the order's creation, and again when a re-run finds the record changed.
    Commercial as a whole (its comments are the deal's notes): hidden from field roles and
    production on every path, like DealTermsRecorded."""

    order_id: UUID
    source: Literal["bitrix24"]
    external_ref: str = Field(description='"bitrix24:deal:<ID>": the key of a re-run')
    comments: str | None = None
    currency: str | None = None


class ProductionFinished(_Event):
    order_id: UUID


class Mention(_Event):
    user_id: str
    username: str


class CommentPosted(_Event):
    order_id: UUID
    comment_id: UUID
    text: str
    mentions: list[Mention] = Field(default_factory=list)


class MediaAttachedV1(_Event):
    """Fact from media.MediaUploaded, kept on the order for its gates."""

    order_id: UUID
    media_id: UUID
    kind: MediaKind
    purpose: str
    filename: str
    source_event_id: UUID


class MediaAttached(MediaAttachedV1):
    """Fact from media.MediaUploaded, kept on the order for its gates. v2 adds what the
    photo rules need (issue 15): who uploaded it in which role, for which visit, when it was
    taken (EXIF time, else the upload's time) and where (EXIF GPS). All optional: an event
    upcast from v1 knows none of them, and such a photo counts as it always did."""

    uploaded_by: UUID | None = None
    uploader_role: str | None = None
    visit_id: UUID | None = None
    taken_at: datetime | None = None
    location: GeoPoint | None = None


class MediaDetached(_Event):
    order_id: UUID
    media_id: UUID
    source_event_id: UUID


class VisitRecordedV1(_Event):
    """Fact from scheduling: a visit on this order was booked, moved or cancelled."""

    order_id: UUID
    visit_id: UUID
    task_id: UUID
    kind: VisitKind
    status: Literal["booked", "cancelled"]
    assignee_id: UUID
    starts_at: datetime
    ends_at: datetime
    source_event_id: UUID


class VisitRecorded(VisitRecordedV1):
    """Fact from scheduling: a visit on this order was booked, moved or cancelled."""

    # When scheduling booked it (v2; absent in v1 events, where the first record's own time
    # stands in): a photo counts for the visit's gate only if taken after this moment.
    booked_at: datetime | None = None


class VisitPresence(_Event):
    """Fact from scheduling.VisitCheckedIn / VisitCheckedOut: the visit's assignee was at this
    position at `at` (the phone's time)."""

    order_id: UUID
    visit_id: UUID
    act: Literal["check_in", "check_out"]
    assignee_id: UUID
    at: datetime
    location: GeoPoint
    source_event_id: UUID


class SitePinned(_Event):
    """The site's position: pinned by the first check-in on the order, or re-pinned by a
    manager (`by_check_in` names the visit whose check-in pinned it)."""

    order_id: UUID
    location: GeoPoint
    by_check_in: UUID | None = None


class PhotoReviewed(_Event):
    """Fact from media.MediaReviewed: a manager confirmed or rejected a photo that was not
    confirmed on site."""

    order_id: UUID
    media_id: UUID
    decision: Literal["confirm", "reject"]
    reason: str | None = None
    source_event_id: UUID


class CountedPhoto(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    media_id: UUID
    filename: str
    reason: str = Field(description="why it counts: on_site, confirmed, site_not_pinned, ...")
    distance_m: float | None = None


class GatePhotosCounted(_Event):
    """The photos that satisfied a stage's photo gate as the order left it, and why each
    counted (appended just before that StageChanged)."""

    order_id: UUID
    stage: str
    photos: list[CountedPhoto]


class PromisedDateSet(_Event):
    """The date promised to the customer was set, changed, or cleared (`None`). Not
    commercial: field roles may see when the order is due. At creation it follows
    OrderCreated in the same append, so OrderCreated's schema did not have to change."""

    order_id: UUID
    promised_date: date | None


class SmsConsentRecorded(_Event):
    """The customer agreed (`consent`) or no longer agrees to confirmation SMS about this
    order's visits, as heard by `by` (the user who recorded it; the envelope says when).
    Without a recorded consent no SMS is ever sent to the customer."""

    order_id: UUID
    consent: bool
    by: UUID | None = None
    by_username: str | None = None  # as the card shows who, without a lookup


class TaskDone(_Event):
    """Fact from scheduling: a task on this order was completed (with results, if any)."""

    order_id: UUID
    task_id: UUID
    visit_id: UUID | None = None
    kind: str
    completed_by: UUID
    results: MeasurementResults | None = None
    source_event_id: UUID


def upcast_added_optional_fields(data: dict[str, Any]) -> dict[str, Any]:
    """v1 → v2 of an event whose v2 only added optional fields: the data reads as it is."""
    return dict(data)

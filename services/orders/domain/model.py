"""The Order aggregate's state and the commands it accepts. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.envelope import Actor
from contracts.events.common import Address, Customer, GeoPoint, MeasurementResults


@dataclass(frozen=True)
class Media:
    kind: str
    purpose: str
    filename: str
    # The photo rules' facts (site_photos.py); None on media attached before they existed.
    uploaded_by: UUID | None = None
    uploader_role: str | None = None
    visit_id: UUID | None = None
    taken_at: datetime | None = None  # EXIF time, else the upload's time
    location: GeoPoint | None = None  # EXIF GPS
    review: str | None = None  # a manager's "confirm" or "reject"


@dataclass(frozen=True)
class Visit:
    kind: str
    task_id: UUID
    status: str  # booked | cancelled
    assignee_id: UUID
    starts_at: datetime
    ends_at: datetime
    booked_at: datetime | None = None
    check_in: GeoPoint | None = None  # where its assignee checked in
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None


@dataclass(frozen=True)
class DoneTask:
    kind: str
    visit_id: UUID | None
    results: MeasurementResults | None


@dataclass(frozen=True)
class Deal:
    amount: Decimal
    decor: str
    finishing: str
    extra_work: str
    payment_terms: str


@dataclass(frozen=True)
class AwaitingMove:
    from_stage: str
    to_stage: str
    rule_id: str
    cause_event_id: UUID


@dataclass(frozen=True)
class SmsConsent:
    """The customer's answer about confirmation SMS, who recorded it and when."""

    given: bool
    by: UUID | None
    at: datetime
    by_username: str | None = None


@dataclass(frozen=True)
class Order:
    id: UUID | None = None
    number: int = 0
    title: str = ""
    customer: Customer | None = None
    description: str | None = None
    manager_id: str | None = None
    stage: str = "intake"
    stage_entered_at: datetime | None = None
    created_at: datetime | None = None
    promised_date: date | None = None  # promised to the customer; None: nothing promised
    sms_consent: SmsConsent | None = None  # None: never asked; no SMS goes to the customer
    pipeline_version: int = 1
    version: int = 0
    media: dict[UUID, Media] = field(default_factory=dict)
    visits: dict[UUID, Visit] = field(default_factory=dict)
    done_tasks: dict[UUID, DoneTask] = field(default_factory=dict)
    deal: Deal | None = None
    production_finished: bool = False
    site: GeoPoint | None = None  # the site's pinned position (first check-in, or a manager)
    seen_causes: frozenset[UUID] = frozenset()  # robot requests already answered
    # A robot's move refused for want of facts still on their way (another topic, another
    # partition): retried when a fact arrives while the order is still where it was.
    awaiting_move: AwaitingMove | None = None
    # Brought over from another system (issue 20): its key there, and the notes it held.
    external_ref: str | None = None
    import_comments: str | None = None

    @property
    def exists(self) -> bool:
        return self.id is not None


# --- commands: time, ids and numbers arrive in them; the decider never makes its own ------


@dataclass(frozen=True)
class CreateOrder:
    order_id: UUID
    number: int
    title: str
    customer: Customer
    description: str | None
    actor: Actor
    at: datetime
    pipeline_version: int = 1
    promised_date: date | None = None


@dataclass(frozen=True)
class SetPromisedDate:
    """Set, change or (None) clear the date promised to the customer."""

    promised_date: date | None


@dataclass(frozen=True)
class RecordSmsConsent:
    """The customer agreed to (or declined, or withdrew) confirmation SMS about visits, as
    heard by `by`."""

    consent: bool
    by: UUID | None
    by_username: str | None = None


@dataclass(frozen=True)
class UpdateCustomer:
    """A partial edit: only the fields given change. The decider merges them into the
    customer as the order holds it when the command runs, so two edits of different fields,
    racing, both land (the loser is re-decided on fresh state instead of overwriting)."""

    name: str | None = None
    phone: str | None = None  # E.164: the entrypoint parsed it
    address: Address | None = None


@dataclass(frozen=True)
class AssignManager:
    manager_id: str


@dataclass(frozen=True)
class MoveToStage:
    to: str
    actor: Actor
    reason: str | None = None


@dataclass(frozen=True)
class RobotMove:
    """scheduling.StageMoveRequested: applied only if the gate holds."""

    to: str
    rule_id: str
    cause_event_id: UUID


@dataclass(frozen=True)
class RecordDealTerms:
    amount: Decimal
    decor: str
    finishing: str
    extra_work: str
    payment_terms: str


@dataclass(frozen=True)
class FinishProduction:
    pass


@dataclass(frozen=True)
class PostComment:
    comment_id: UUID
    text: str
    mentions: tuple[tuple[str, str], ...]  # (user_id, username), resolved by the application


@dataclass(frozen=True)
class NoteMedia:
    media_id: UUID
    kind: str
    purpose: str
    filename: str
    source_event_id: UUID
    attached: bool = True
    uploaded_by: UUID | None = None
    uploader_role: str | None = None
    visit_id: UUID | None = None
    taken_at: datetime | None = None
    location: GeoPoint | None = None


@dataclass(frozen=True)
class NoteVisit:
    """Booked or moved (with its slot), or cancelled (the slot is kept from the booking)."""

    visit_id: UUID
    task_id: UUID
    kind: str
    status: str
    source_event_id: UUID
    assignee_id: UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    booked_at: datetime | None = None  # the booking's own time (VisitBooked only)


@dataclass(frozen=True)
class NotePresence:
    """scheduling.VisitCheckedIn / VisitCheckedOut: the assignee's position at `at`."""

    visit_id: UUID
    act: str  # check_in | check_out
    assignee_id: UUID
    at: datetime
    location: GeoPoint
    source_event_id: UUID


@dataclass(frozen=True)
class NoteReview:
    """media.MediaReviewed: a manager confirmed or rejected a photo."""

    media_id: UUID
    decision: str
    reason: str | None
    source_event_id: UUID


@dataclass(frozen=True)
class PinSite:
    """A manager sets the site's position (re-pins it)."""

    location: GeoPoint


@dataclass(frozen=True)
class NoteTaskDone:
    task_id: UUID
    visit_id: UUID | None
    kind: str
    completed_by: UUID
    results: MeasurementResults | None
    source_event_id: UUID


Command = (
    CreateOrder
    | UpdateCustomer
    | AssignManager
    | SetPromisedDate
    | RecordSmsConsent
    | MoveToStage
    | RobotMove
    | RecordDealTerms
    | FinishProduction
    | PostComment
    | NoteMedia
    | NoteVisit
    | NoteTaskDone
    | NotePresence
    | NoteReview
    | PinSite
)

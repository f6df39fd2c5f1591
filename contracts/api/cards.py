"""What the orders API answers (API.md, Orders): the order card, per audience.

Each response has the commercial model (everything; the OpenAPI names it) and the restricted
one production and field roles get: no deal, no commercial documents, no gate condition
that tells of either. The restricted models are built from the same parts, so the two
cannot drift apart on what both see.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from contracts.api.audience import Shown, Views
from contracts.api.common import Day, Id, Money, Timestamp
from contracts.api.hidden import only_visible_conditions, without_commercial_media


class AddressOut(Shown):
    text: str | None = None
    city: str | None = None
    street: str | None = None
    building: str | None = None
    apartment: str | None = None
    entrance: str | None = None
    floor: str | None = None
    intercom: str | None = None
    notes: str | None = None


class CustomerOut(Shown):
    name: str
    phone: str = Field(description="E.164")
    address: AddressOut | str
    address_text: str | None = None


class PersonRef(Shown):
    id: str
    display_name: str | None = None


class SmsConsentOut(Shown):
    consent: bool
    by: PersonRef | None = None
    at: Timestamp


class MediaRef(Shown):
    media_id: Id
    kind: Literal["document", "photo"]
    purpose: str
    filename: str
    site_check: str | None = Field(
        default=None,
        description="photos of a visit's purpose: why it counts for the gate or not (on_site, "
        "confirmed, site_not_pinned, attached_before_rules, not_confirmed_on_site, rejected, "
        "taken_before_booking, by_someone_else, not_from_visit)",
    )
    visit_id: Id | None = None


class SitePoint(Shown):
    lat: float
    lon: float


class VisitRef(Shown):
    visit_id: Id
    kind: str
    status: str
    task_id: Id
    assignee_id: Id
    starts_at: Timestamp
    ends_at: Timestamp
    checked_in_at: Timestamp | None = None
    checked_out_at: Timestamp | None = None


class RoomOut(Shown):
    name: str
    width_mm: int
    height_mm: int
    depth_mm: int | None = None
    notes: str | None = None


class MeasurementResultsOut(Shown):
    rooms: list[RoomOut]
    notes: str | None = None


class TaskOut(Shown):
    """A task as scheduling lists it (the card's tasks come from there)."""

    id: Id
    order_id: Id | None = None
    visit_id: Id | None = None
    kind: str
    title: str | None = None
    status: Literal["open", "done", "cancelled"]
    assignee_id: Id | None = None
    assignee_role: str | None = None
    due_at: Timestamp | None = None
    visit_kind: str | None = None
    visit_starts_at: Timestamp | None = None
    visit_ends_at: Timestamp | None = None
    visit_note: str | None = Field(default=None, description="the manager's note for the visit")
    rule_id: str | None = None
    cause_event_id: Id | None = None
    created_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    completed_by: Id | None = None
    note: str | None = None
    results: MeasurementResultsOut | None = Field(
        default=None, description="a measurement's results"
    )


class Condition(Shown):
    code: str
    message: str
    kind: str | None = None
    params: dict[str, str] | None = None


class Gate(Shown):
    stage: str
    unmet: list[Condition]


class RestrictedGate(Gate):
    unmet: Annotated[list[Condition], BeforeValidator(only_visible_conditions)]


class Deal(Shown):
    amount: Money
    decor: str
    finishing: str
    extra_work: str
    payment_terms: str


class _Card(Shown):
    id: Id
    number: int
    title: str
    stage: str
    stage_title: str | None = None
    stage_entered_at: Timestamp | None = None
    version: int
    pipeline_version: int | None = None
    customer: CustomerOut
    description: str | None = None
    promised_date: Day | None = Field(default=None, description="the day promised to the customer")
    sms_consent: SmsConsentOut | None = Field(
        default=None, description="the customer's answer about visit SMS; null: never asked"
    )
    manager: PersonRef | None = None
    photos: list[MediaRef] = Field(default_factory=list)
    visits: list[VisitRef] = Field(default_factory=list)
    tasks: list[TaskOut] = Field(default_factory=list)
    production_finished: bool | None = None
    site: SitePoint | None = Field(
        default=None, description="the site's pinned position (first check-in, or a manager)"
    )
    next_stages: list[str] = Field(default_factory=list)


class OrderCard(_Card):
    """The card (GET /orders/{id}, and every command's answer). `deal` only once recorded,
    and only for the commercial audience."""

    documents: list[MediaRef] = Field(default_factory=list)
    gate: Gate | None = None
    deal: Deal | None = None


# Documents and photos by purpose: a restricted audience's lists leave commercial ones out
# (no photo purpose is commercial today; one made so later is left out the same way).
VisibleMedia = Annotated[list[MediaRef], BeforeValidator(without_commercial_media)]


class RestrictedOrderCard(_Card):
    documents: VisibleMedia = Field(default_factory=list)
    photos: VisibleMedia = Field(default_factory=list)
    gate: RestrictedGate | None = None


CARD = Views.of(OrderCard, RestrictedOrderCard)


class PastOrderCard(OrderCard):
    """The card as it was at `as_of` (GET /orders/{id}/as-of): rebuilt from the order's own
    events up to that moment, so `tasks` are only the completed ones the order recorded."""

    as_of: Timestamp


class RestrictedPastOrderCard(RestrictedOrderCard):
    as_of: Timestamp


PAST_CARD = Views.of(PastOrderCard, RestrictedPastOrderCard)


# OpenAPI links from every answer that is an order card (create, read, move): the next calls
# a client (and Schemathesis's stateful phase) makes with the card's id — read it, move it,
# read its history. The operation ids are set on those routes, so the links cannot go stale.
ORDER_LINKS: dict[str, dict[str, object]] = {
    "GetOrder": {"operationId": "get_order", "parameters": {"order_id": "$response.body#/id"}},
    "MoveOrder": {"operationId": "move_order", "parameters": {"order_id": "$response.body#/id"}},
    "OrderHistory": {
        "operationId": "order_history",
        "parameters": {"order_id": "$response.body#/id"},
    },
}

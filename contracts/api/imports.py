"""Imports (issue 20): Bitrix24's REST results or its CSV export of deals, and the report.

The document is what Bitrix24's REST methods return, item for item, with Bitrix24's own
field names (services/orders/domain/bitrix24.py says where the shapes come from). Only its
frame is checked here — lists of objects, each with its ID, and a stage map — so a deal with
something odd in it becomes a line of the report ("skipped, and why"), not a refused import.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Input, Timestamp

MAX_ITEMS = 20_000


def _with_id(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, item in enumerate(items):
        value = item.get("ID")
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
            raise ValueError(f"item {index} has no ID (a string or number)")
        item["ID"] = str(value)
    return items


Items = Annotated[list[dict[str, Any]], Field(max_length=MAX_ITEMS), AfterValidator(_with_id)]
StageKey = Annotated[str, Field(min_length=1, max_length=64)]


class Bitrix24Document(BaseModel):
    """`{"deals": [crm.deal.list items], "contacts": [crm.contact.list items],
    "stage_history": [crm.stagehistory.list items], "users": [user.get items],
    "stage_map": {"<STAGE_ID>": "<our stage>"}}`. Other top-level keys (a saved REST
    answer's `total`, `next`, `time`) are ignored. WON and LOSE/APOLOGY stages need no
    entry: they become closed and cancelled."""

    model_config = ConfigDict(extra="ignore")

    deals: Items
    contacts: Items = Field(default_factory=list)
    stage_history: Items = Field(default_factory=list)
    users: Items = Field(default_factory=list)
    stage_map: dict[Annotated[str, Field(max_length=200)], StageKey] = Field(
        default_factory=dict, max_length=1000
    )


class Person(Input):
    """One of our users, as the gateway (which owns users) lists them for matching."""

    id: Id
    username: str
    email: str | None = None
    display_name: str = ""
    role: str


class ImportCommand(Input):
    """What the gateway sends the orders service: the document and the users to match."""

    document: Bitrix24Document
    people: list[Person] = Field(default_factory=list, max_length=10_000)


class CsvImportCommand(Input):
    """The CSV export's bytes (base64) and its stage map, and the users to match."""

    csv_base64: str
    stage_map: dict[str, StageKey] = Field(default_factory=dict)
    people: list[Person] = Field(default_factory=list, max_length=10_000)


class Skipped(Shown):
    id: str = Field(description="the Bitrix24 deal ID")
    why: str = Field(
        description="no_contact, contact_not_found, no_phone, phone_unparseable, "
        "no_customer_name, unmapped_stage, bad_date, bad_amount"
    )
    detail: str


class UnparseablePhone(Shown):
    deal_id: str
    contact_id: str
    value: str


class UnmatchedUser(Shown):
    id: str = Field(description="the Bitrix24 user ID (ASSIGNED_BY_ID)")
    email: str
    name: str
    why: str


class ImportedOrder(Shown):
    deal_id: str
    action: Literal["created", "updated", "unchanged"]
    order_id: Id | None = Field(description="null in a dry run's would-be creations")
    stage: str
    changes: list[str] = Field(description="stage, title, customer, manager (a re-run)")


class ImportReport(Shown):
    """What was (or, in a dry run, would be) created and updated, and what could not come."""

    id: Id
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    skipped: list[Skipped]
    unmapped_stages: list[str]
    unparseable_phones: list[UnparseablePhone]
    unmatched_users: list[UnmatchedUser]
    orders: list[ImportedOrder]


class ImportJob(Shown):
    """An import's progress: `done` of `total` deals written; the report once it is done,
    the error if it failed or was interrupted (its process ended: no sign of life for 30 s),
    and then nothing of it was kept."""

    id: Id
    kind: str
    dry_run: bool
    status: Literal["running", "done", "failed", "interrupted"]
    done: int
    total: int
    report: ImportReport | None = None
    error: dict[str, Any] | None = None
    started_by: str | None = Field(default=None, description="the admin's login")
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None


class ImportJobs(Shown):
    """The newest imports first, without their reports (`GET /imports/{id}` has each)."""

    imports: list[ImportJob]


REPORT = Views.of(ImportReport)
JOB = Views.of(ImportJob)
JOBS = Views.of(ImportJobs)

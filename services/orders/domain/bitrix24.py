"""Bitrix24's REST results → the orders to bring over, with a report of what cannot come. Pure.

The shapes are Bitrix24's own, as its REST documentation gives them (dev.1c-bitrix.ru
rest_help/crm and apidocs.bitrix24.com api-reference/crm, read 2026-12):
- `crm.deal.list` items: ID, TITLE, STAGE_ID ("NEW", "PREPARATION", ..., "WON", "LOSE",
  "APOLOGY"; in another funnel "C<n>:NEW"), STAGE_SEMANTIC_ID (P in progress, S won, F lost),
  CLOSED ("Y"/"N"), CONTACT_ID, ASSIGNED_BY_ID, OPPORTUNITY ("15000.00"), CURRENCY_ID,
  COMMENTS, DATE_CREATE, DATE_MODIFY, MOVED_TIME (ISO 8601 with offset); every value a string.
- `crm.contact.list` items: ID, NAME, SECOND_NAME, LAST_NAME, PHONE ([{ID, VALUE_TYPE,
  VALUE, TYPE_ID}], a "multifield"), ADDRESS, ADDRESS_2, ADDRESS_CITY, ADDRESS_REGION, ...
- `crm.stagehistory.list` (entityTypeId 2, deals) items: ID, TYPE_ID (1 created, 2 moved to an
  intermediate stage, 3 moved to a final one), OWNER_ID (the deal), CREATED_TIME (when it
  entered the stage), CATEGORY_ID, STAGE_SEMANTIC_ID, STAGE_ID.
- `user.get` items: ID, ACTIVE, EMAIL, NAME, LAST_NAME (LOGIN where the portal gives it).

A deal is skipped, with why, when it cannot make an order: no contact, no phone that parses,
a stage the map does not name. Everything is checked here, before anything is written (see
application/imports.py for why that matters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import phonenumbers

from contracts.events.common import Address, Customer
from contracts.pipeline import CANCELLED
from services.orders.domain.pipeline import Pipeline
from services.orders.domain.words import COMPANY_TIMEZONE

SOURCE: Final = "bitrix24"
PHONE_REGION = "RU"
# Our roles that may be an order's manager: the office (contracts/roles.py, commercial).
MANAGER_ROLES = frozenset({"manager", "director"})
ADDRESS_PARTS = ("ADDRESS_POSTAL_CODE", "ADDRESS_CITY", "ADDRESS", "ADDRESS_2")
MAX_TITLE = 300


def external_ref(deal_id: str) -> str:
    return f"{SOURCE}:deal:{deal_id}"


@dataclass(frozen=True)
class Person:
    """One of our users, as the gateway (which owns users) lists them for matching."""

    id: str
    username: str
    email: str | None
    display_name: str
    role: str


@dataclass(frozen=True)
class Move:
    stage: str
    at: datetime


@dataclass(frozen=True)
class PlannedOrder:
    deal_id: str
    title: str
    customer: Customer
    manager_id: str | None
    amount: Decimal | None
    currency: str | None
    comments: str | None
    created_at: datetime
    # The stages it entered after the first, each when it entered it; the last is where it is.
    moves: tuple[Move, ...]

    @property
    def ref(self) -> str:
        return external_ref(self.deal_id)

    @property
    def stage(self) -> str | None:
        return self.moves[-1].stage if self.moves else None


@dataclass(frozen=True)
class Skipped:
    id: str
    why: str  # a stable code
    detail: str


@dataclass
class Plan:
    orders: list[PlannedOrder] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unmapped_stages: set[str] = field(default_factory=set)
    unparseable_phones: list[dict[str, str]] = field(default_factory=list)
    unmatched_users: dict[str, dict[str, str]] = field(default_factory=dict)


class BadDocument(ValueError):
    """The document as a whole is unusable: answered 422, nothing is planned."""


def text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()


def parse_time(raw: str) -> datetime | None:
    """ISO 8601 as the REST API gives it; a time without offset is the company's (the CSV
    export's "05.03.2026 14:30:00" is read by the CSV module into this form first)."""
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=COMPANY_TIMEZONE)


def e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phones(contact: Mapping[str, Any]) -> list[str]:
    raw = contact.get("PHONE")
    items = raw if isinstance(raw, list) else []
    # A mobile first: it is the one a customer answers, and the one an SMS reaches.
    ranked = sorted(
        (i for i in items if isinstance(i, dict)), key=lambda i: text(i, "VALUE_TYPE") != "MOBILE"
    )
    return [text(i, "VALUE") for i in ranked if text(i, "VALUE")]


def _customer(contact: Mapping[str, Any], phone: str) -> Customer:
    name = " ".join(
        p for p in (text(contact, k) for k in ("NAME", "SECOND_NAME", "LAST_NAME")) if p
    )
    line = ", ".join(p for p in (text(contact, k) for k in ADDRESS_PARTS) if p)
    return Customer(name=name[:200], phone=phone, address=Address(text=line[:500] or None))


class _Stages:
    def __init__(self, pipeline: Pipeline, stage_map: Mapping[str, str]) -> None:
        unknown = sorted({v for v in stage_map.values() if not pipeline.knows(v)})
        if unknown:
            raise BadDocument(
                f"stage_map names stages this pipeline does not have: {', '.join(unknown)} "
                f"(known: {', '.join(pipeline.keys())})"
            )
        self.map = stage_map
        terminal = [s.key for s in pipeline.stages if s.terminal]
        self.lost = CANCELLED if CANCELLED in terminal else None
        self.won = next((k for k in terminal if k != self.lost), None)

    def of(self, stage_id: str, semantic: str = "") -> str | None:
        """Our stage for a Bitrix24 stage: the map's, else won/lost by its semantics (S/F) or
        its id (WON; LOSE or APOLOGY, also as "C1:WON" in another funnel)."""
        if stage_id in self.map:
            return self.map[stage_id]
        code = stage_id.rsplit(":", 1)[-1]
        if semantic == "S" or code == "WON":
            return self.won
        if semantic == "F" or code in ("LOSE", "APOLOGY"):
            return self.lost
        return None


def plan(
    document: Mapping[str, Any],
    pipeline: Pipeline,
    people: Sequence[Person],
    now: datetime,
) -> Plan:
    """`document`: {deals, contacts, stage_history, users, stage_map} (validated in shape by
    the API model: lists of objects with an ID). Raises BadDocument for what no deal can
    survive (a stage map to unknown stages, the same deal twice)."""
    stages = _Stages(pipeline, document.get("stage_map") or {})
    deals: list[Mapping[str, Any]] = document.get("deals") or []
    seen: set[str] = set()
    for deal in deals:
        deal_id = text(deal, "ID")
        if deal_id in seen:
            raise BadDocument(f"deal {deal_id} appears twice in deals")
        seen.add(deal_id)
    contacts = {text(c, "ID"): c for c in document.get("contacts") or []}
    users = {text(u, "ID"): u for u in document.get("users") or []}
    history: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in document.get("stage_history") or []:
        history[text(item, "OWNER_ID")].append(item)
    by_email = {p.email.lower(): p for p in people if p.email}
    by_login = {p.username.lower(): p for p in people}
    by_name = {p.display_name.lower(): p for p in people}

    out = Plan()
    for deal in deals:
        deal_id = text(deal, "ID")
        skip = _one(deal, contacts, history[deal_id], stages, out, now)
        if isinstance(skip, Skipped):
            out.skipped.append(skip)
            continue
        manager_id = _manager(deal, users, by_email, by_login, by_name, out)
        out.orders.append(
            PlannedOrder(
                deal_id=deal_id,
                title=skip.title,
                customer=skip.customer,
                manager_id=manager_id,
                amount=skip.amount,
                currency=text(deal, "CURRENCY_ID") or None,
                comments=text(deal, "COMMENTS") or None,
                created_at=skip.created_at,
                moves=skip.moves,
            )
        )
    return out


@dataclass(frozen=True)
class _Parts:
    title: str
    customer: Customer
    amount: Decimal | None
    created_at: datetime
    moves: tuple[Move, ...]


def _one(
    deal: Mapping[str, Any],
    contacts: Mapping[str, Mapping[str, Any]],
    history: list[Mapping[str, Any]],
    stages: _Stages,
    out: Plan,
    now: datetime,
) -> _Parts | Skipped:
    deal_id = text(deal, "ID")
    title = text(deal, "TITLE")[:MAX_TITLE] or f"Сделка {deal_id} из Битрикс24"
    created_at = parse_time(text(deal, "DATE_CREATE"))
    if created_at is None:
        return Skipped(deal_id, "bad_date", f"DATE_CREATE {text(deal, 'DATE_CREATE')!r}")
    created_at = min(created_at, now)

    contact_id = text(deal, "CONTACT_ID")
    if contact_id in ("", "0"):
        return Skipped(deal_id, "no_contact", "the deal has no contact (CONTACT_ID)")
    contact = contacts.get(contact_id)
    if contact is None:
        return Skipped(deal_id, "contact_not_found", f"contact {contact_id} is not in contacts")
    raw_phones = _phones(contact)
    phone = next((p for p in map(e164, raw_phones) if p), None)
    if phone is None:
        for raw in raw_phones or [""]:
            out.unparseable_phones.append(
                {"deal_id": deal_id, "contact_id": contact_id, "value": raw}
            )
        why = "no_phone" if not raw_phones else "phone_unparseable"
        return Skipped(deal_id, why, f"contact {contact_id}: {', '.join(raw_phones) or 'none'}")
    customer = _customer(contact, phone)
    if not customer.name:
        return Skipped(deal_id, "no_customer_name", f"contact {contact_id} has no name")

    amount = None
    if text(deal, "OPPORTUNITY"):
        try:
            amount = Decimal(text(deal, "OPPORTUNITY"))
        except InvalidOperation:
            return Skipped(deal_id, "bad_amount", f"OPPORTUNITY {text(deal, 'OPPORTUNITY')!r}")
        if amount <= 0 or not amount.is_finite():
            amount = None  # Bitrix24 writes "0.00" for a deal with no amount yet

    moves = _moves(deal, history, stages, created_at, now, out)
    if isinstance(moves, Skipped):
        return moves
    return _Parts(title, customer, amount, created_at, moves)


def _moves(
    deal: Mapping[str, Any],
    history: list[Mapping[str, Any]],
    stages: _Stages,
    created_at: datetime,
    now: datetime,
    out: Plan,
) -> tuple[Move, ...] | Skipped:
    """The stage history as moves in time order, ending in the deal's stage now. Times never
    go backwards (a clock skew in the source would make negative time in a stage)."""
    deal_id = text(deal, "ID")
    current_id = text(deal, "STAGE_ID")
    final = stages.of(current_id, text(deal, "STAGE_SEMANTIC_ID"))
    if final is None:
        out.unmapped_stages.add(current_id)
        return Skipped(deal_id, "unmapped_stage", f"stage {current_id!r} is not in stage_map")
    if text(deal, "CLOSED") == "Y" and final not in (stages.won, stages.lost):
        final = stages.won or final  # closed in Bitrix24 without a won/lost stage: done

    timed = []
    for item in history:
        at = parse_time(text(item, "CREATED_TIME"))
        if at is None:
            return Skipped(deal_id, "bad_date", f"history {text(item, 'ID')}: CREATED_TIME")
        timed.append((at, int(text(item, "ID")) if text(item, "ID").isdigit() else 0, item))
    timed.sort(key=lambda t: (t[0], t[1]))

    moves: list[Move] = []
    where, last = None, created_at
    for at, _, item in timed:
        stage_id = text(item, "STAGE_ID")
        stage = stages.of(stage_id, text(item, "STAGE_SEMANTIC_ID"))
        if stage is None:
            out.unmapped_stages.add(stage_id)
            return Skipped(
                deal_id, "unmapped_stage", f"history stage {stage_id!r} is not in stage_map"
            )
        last = min(max(at, last), now)
        if stage != where:
            moves.append(Move(stage, last))
            where = stage
    if where != final:
        # The history is missing the last move (a partial export): the deal's own times say
        # when it got there, at the latest.
        when = parse_time(text(deal, "MOVED_TIME")) or parse_time(text(deal, "DATE_MODIFY"))
        moves.append(Move(final, min(max(when or last, last), now)))
    return tuple(moves)


def _manager(
    deal: Mapping[str, Any],
    users: Mapping[str, Mapping[str, Any]],
    by_email: Mapping[str, Person],
    by_login: Mapping[str, Person],
    by_name: Mapping[str, Person],
    out: Plan,
) -> str | None:
    """The responsible user by e-mail, else login, else (the CSV export, which has only a
    name) display name; reported and left without a manager when none matches."""
    user_id = text(deal, "ASSIGNED_BY_ID")
    if not user_id or user_id == "0":
        return None
    user = users.get(user_id, {})
    email = text(user, "EMAIL").lower()
    login = text(user, "LOGIN").lower()
    name = " ".join(p for p in (text(user, "NAME"), text(user, "LAST_NAME")) if p)
    name = name or text(user, "FULL_NAME")
    found = by_email.get(email) if email else None
    found = found or (by_login.get(login) if login else None)
    found = found or (by_name.get(name.lower()) if name else None)
    if found is not None and found.role in MANAGER_ROLES:
        return found.id
    why = "not_found" if found is None else f"role {found.role} cannot manage orders"
    if not user:
        why = "not_in_users"
    out.unmatched_users.setdefault(
        user_id, {"id": user_id, "email": email, "name": name, "why": why}
    )
    return None

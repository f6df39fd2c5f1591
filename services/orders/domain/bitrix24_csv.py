"""Bitrix24's CSV export of deals → the same document the REST import takes. Pure.

The export ("CRM → Сделки → Экспорт в CSV/Excel") writes one row per deal with the column
titles of the portal's language, separated by semicolons, in UTF-8 (with or without a BOM) or,
from older portals and Excel, Windows-1251. It has no stage history and names the stage, the
contact and the responsible person by their titles, not ids: the stage map may name stages by
their titles, the responsible person is matched by display name, and the contact is built
from the row (its phone and address columns when the export has them).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from services.orders.domain.bitrix24 import BadDocument
from services.orders.domain.words import COMPANY_TIMEZONE

# Our field ← the column titles that carry it (Russian export; English portal's as well).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ID": ("id",),
    "TITLE": ("название сделки", "название", "deal name", "title"),
    "STAGE_ID": ("стадия сделки", "стадия", "deal stage", "stage"),
    "CONTACT": ("контакт", "contact"),
    "ASSIGNED": ("ответственный", "responsible person", "responsible"),
    "OPPORTUNITY": ("сумма", "amount", "opportunity"),
    "CURRENCY_ID": ("валюта", "currency"),
    "COMMENTS": ("комментарий", "комментарии", "comment", "comments"),
    "DATE_CREATE": ("дата создания", "created", "date created"),
    "DATE_MODIFY": ("дата изменения", "modified", "date modified"),
    "CLOSED": ("сделка закрыта", "закрыта", "closed"),
    "PHONE": (
        "мобильный телефон",
        "рабочий телефон",
        "телефон",
        "телефон контакта",
        "mobile phone",
        "work phone",
        "phone",
    ),
    "ADDRESS": ("адрес", "адрес контакта", "address"),
}
REQUIRED = ("ID", "STAGE_ID")
YES = frozenset({"y", "yes", "да"})
_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are UTF-8, else Windows-1251, which decodes
    any byte: the export's two encodings."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def _key(title: str) -> str:
    # "Контакт: Мобильный телефон" in some exports: the part after the colon names the field.
    title = title.strip().strip('"').lower().replace("ё", "е")
    return title.rsplit(":", 1)[-1].strip() if ":" in title else title


def _iso(raw: str) -> str:
    """ "05.03.2026 14:30:00" → "2026-03-05T14:30:00" (the company's time; bitrix24.parse_time
    gives it the zone); anything else is passed on as it is, and fails there if it must."""
    found = _DATE.match(raw.strip())
    if not found:
        return raw
    d, m, y, hh, mm, ss = found.groups()
    try:
        at = datetime(
            int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
            tzinfo=COMPANY_TIMEZONE,
        )  # fmt: skip
    except ValueError:
        return raw
    return at.isoformat()


def _amount(raw: str) -> str:
    return re.sub(r"[\s\u00a0]", "", raw).replace(",", ".")


def document(raw: bytes, stage_map: dict[str, str]) -> dict[str, Any]:
    text = decode(raw)
    if not text.strip():
        raise BadDocument("the CSV file is empty")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [_key(h) for h in rows[0]]
    where: dict[str, int] = {}
    for field, titles in COLUMNS.items():
        for title in titles:  # the first title found wins: the mobile phone before the work one
            if title in header:
                where[field] = header.index(title)
                break
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in where]
    if missing:
        raise BadDocument(
            "the CSV has no column "
            + ", ".join(f"«{m[:1].upper()}{m[1:]}»" for m in missing)
            + f" (found: {', '.join(rows[0][:20])})"
        )

    deals: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    users: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row: list[str] = row) -> str:
            index = where.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        deal_id = cell("ID")
        if not deal_id:
            raise BadDocument(f"CSV line {number}: no ID")
        contact_id = ""
        if cell("CONTACT") or cell("PHONE"):
            contact_id = f"csv-{deal_id}"
            phone = [{"VALUE": cell("PHONE"), "VALUE_TYPE": "WORK"}] if cell("PHONE") else []
            contacts.append(
                {"ID": contact_id, "NAME": cell("CONTACT"), "PHONE": phone,
                 "ADDRESS": cell("ADDRESS")}
            )  # fmt: skip
        assigned = cell("ASSIGNED")
        if assigned:
            users.setdefault(assigned, {"ID": f"csv-{assigned}", "NAME": assigned})
        deals.append(
            {
                "ID": deal_id,
                "TITLE": cell("TITLE"),
                "STAGE_ID": cell("STAGE_ID"),
                "CONTACT_ID": contact_id,
                "ASSIGNED_BY_ID": users[assigned]["ID"] if assigned else "",
                "OPPORTUNITY": _amount(cell("OPPORTUNITY")),
                "CURRENCY_ID": cell("CURRENCY_ID"),
                "COMMENTS": cell("COMMENTS"),
                "DATE_CREATE": _iso(cell("DATE_CREATE")),
                "DATE_MODIFY": _iso(cell("DATE_MODIFY")),
                "CLOSED": "Y" if cell("CLOSED").lower() in YES else "N",
            }
        )
    return {
        "deals": deals,
        "contacts": contacts,
        "stage_history": [],
        "users": list(users.values()),
        "stage_map": stage_map,
    }

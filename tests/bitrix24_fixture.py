"""A deterministic Bitrix24 portal for the import's tests (issue 20): 200 deals, 150 contacts,
each deal's stage history and the portal's users, in the shapes Bitrix24's REST methods return
(crm.deal.list, crm.contact.list, crm.stagehistory.list with entityTypeId 2, user.get; see
services/orders/domain/bitrix24.py for the sources): every value a string, times ISO 8601 with
the portal's offset, phones as the multifield list, in the forms people type.

The timing is regular on purpose, so a report over it has known answers: every deal spends
STAY_HOURS[stage] in each stage it passes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

MSK = timezone(timedelta(hours=3))
BASE = datetime(2025, 3, 3, 9, 0, tzinfo=MSK)
DEALS = 200
CONTACTS = 150
# Bitrix24's default deal funnel, in order, and where each lands here.
FUNNEL = ("NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE")
STAGE_MAP = {
    "NEW": "intake",
    "PREPARATION": "measurement",
    "PREPAYMENT_INVOICE": "contract",
    "EXECUTING": "production",
    "FINAL_INVOICE": "installation",
}
# Hours each deal stays in a stage before it moves on.
STAY_HOURS = {
    "intake": 48.0,
    "measurement": 72.0,
    "contract": 24.0,
    "production": 240.0,
    "installation": 12.0,
}
PHONE_FORMS = ("+7 915 {a}-{b}-{c}", "8 (916) {a}-{b}{c}", "8926{a}{b}{c}", "+7(903){a}{b}{c}")
USERS = [
    # Matched by e-mail to the demo manager (gateway/domain/users.py: username@oms.example).
    {"ID": "1", "ACTIVE": True, "EMAIL": "manager@oms.example", "NAME": "Мария", "LAST_NAME": "М"},
    # Matched by login to the demo director.
    {"ID": "7", "ACTIVE": True, "EMAIL": "boss@portal.example", "LOGIN": "director", "NAME": "Д"},
    # Nobody here: reported, and its deals come without a manager.
    {"ID": "9", "ACTIVE": True, "EMAIL": "ghost@portal.example", "NAME": "Призрак"},
]


def phone(n: int) -> str:
    a, b, c = f"{100 + n:03d}", f"{(n * 7) % 100:02d}", f"{(n * 13) % 100:02d}"
    return PHONE_FORMS[n % len(PHONE_FORMS)].format(a=a, b=b, c=c)


def e164(n: int) -> str:
    """What phone(n) must become."""
    code = ("915", "916", "926", "903")[n % len(PHONE_FORMS)]
    return f"+7{code}{100 + n:03d}{(n * 7) % 100:02d}{(n * 13) % 100:02d}"


def contact(n: int) -> dict[str, Any]:
    return {
        "ID": str(n),
        "NAME": f"Клиент{n}",
        "SECOND_NAME": "",
        "LAST_NAME": f"Фамилия{n}",
        "PHONE": [
            {"ID": str(1000 + n), "VALUE_TYPE": "MOBILE", "VALUE": phone(n), "TYPE_ID": "PHONE"}
        ],
        "ADDRESS": f"ул. Липовая, д. {n}",
        "ADDRESS_CITY": "Тверь",
        "ADDRESS_POSTAL_CODE": None,
    }


def path_of(i: int) -> tuple[list[str], str | None]:
    """Deal i's funnel stages (from NEW on) and how it ended: WON, LOSE or still open."""
    depth = 1 + i % len(FUNNEL)
    stages = list(FUNNEL[:depth])
    end = {0: "WON", 1: "LOSE"}.get(i % 7) if depth == len(FUNNEL) or i % 7 == 1 else None
    return stages, end


def expected_stage(i: int) -> str:
    stages, end = path_of(i)
    if end == "WON":
        return "closed"
    if end == "LOSE":
        return "cancelled"
    return STAGE_MAP[stages[-1]]


def portal() -> dict[str, Any]:
    deals, history = [], []
    hid = 1
    for i in range(DEALS):
        created = BASE + timedelta(days=i % 90, hours=i % 5)
        stages, end = path_of(i)
        at = created
        item_times = []
        for stage in stages:
            item_times.append((stage, at))
            at += timedelta(hours=STAY_HOURS[STAGE_MAP[stage]])
        if end is not None:
            item_times.append((end, at))
        for index, (stage, when) in enumerate(item_times):
            final = stage in ("WON", "LOSE")
            history.append(
                {
                    "ID": str(hid),
                    "TYPE_ID": "1" if index == 0 else ("3" if final else "2"),
                    "OWNER_ID": str(i + 1),
                    "CREATED_TIME": when.isoformat(),
                    "CATEGORY_ID": "0",
                    "STAGE_SEMANTIC_ID": {"WON": "S", "LOSE": "F"}.get(stage, "P"),
                    "STAGE_ID": stage,
                }
            )
            hid += 1
        last_stage, last_at = item_times[-1]
        deals.append(
            {
                "ID": str(i + 1),
                "TITLE": f"Шкаф-купе №{i + 1}",
                "TYPE_ID": "SALE",
                "CATEGORY_ID": "0",
                "STAGE_ID": last_stage,
                "STAGE_SEMANTIC_ID": {"WON": "S", "LOSE": "F"}.get(last_stage, "P"),
                "IS_NEW": "N",
                "CLOSED": "Y" if end else "N",
                "CONTACT_ID": str(i % CONTACTS + 1),
                "COMPANY_ID": "0",
                "ASSIGNED_BY_ID": USERS[i % len(USERS)]["ID"],
                "OPPORTUNITY": f"{50000 + i * 1000}.00",
                "CURRENCY_ID": "RUB",
                "COMMENTS": f"Сделка {i + 1}: скидка {i % 10}%",
                "DATE_CREATE": created.isoformat(),
                "DATE_MODIFY": last_at.isoformat(),
                "MOVED_TIME": last_at.isoformat(),
            }
        )
    return {
        "deals": deals,
        "contacts": [contact(n) for n in range(1, CONTACTS + 1)],
        "stage_history": history,
        "users": USERS,
        "stage_map": dict(STAGE_MAP),
    }


def passes_through(i: int, stage: str) -> bool:
    """Does deal i leave `stage` (so its stay there counts in the duration report)?"""
    stages, end = path_of(i)
    ours = [STAGE_MAP[s] for s in stages]
    if stage not in ours:
        return False
    return ours.index(stage) < len(ours) - 1 or end is not None


# The CSV export of deals ("CRM → Сделки → Экспорт в CSV"), a Russian portal's columns as
# services/orders/domain/bitrix24_csv.py reads them: stages, contacts and the responsible person
# by their titles and names, not ids; dates as "05.03.2025 10:15:00".
CSV_COLUMNS = (
    "ID",
    "Название сделки",
    "Стадия сделки",
    "Контакт",
    "Мобильный телефон",
    "Ответственный",
    "Сумма",
    "Валюта",
    "Комментарий",
    "Дата создания",
    "Дата изменения",
)


def csv_export(
    deals: Sequence[tuple[str, str, int | None, str]], encoding: str = "cp1251"
) -> bytes:
    """Bitrix24's CSV export of `deals`, each (deal ID, stage title, contact n — its name and
    phone as contact(n) has them — or None for a deal without a contact, the responsible
    person's name): semicolons and CRLF, in Windows-1251 as older portals and Excel write it."""
    lines = [";".join(CSV_COLUMNS)]
    for index, (deal_id, stage, n, responsible) in enumerate(deals):
        created = BASE + timedelta(days=index, hours=index % 5)
        person = contact(n) if n is not None else None
        lines.append(
            ";".join(
                (
                    deal_id,
                    f"Шкаф-купе №{deal_id}",
                    stage,
                    f"{person['NAME']} {person['LAST_NAME']}" if person else "",
                    phone(n) if n is not None else "",
                    responsible,
                    f"{50 + index} 000,00",
                    "RUB",
                    f"Сделка {deal_id}",
                    created.strftime("%d.%m.%Y %H:%M:%S"),
                    (created + timedelta(days=2)).strftime("%d.%m.%Y %H:%M:%S"),
                )
            )
        )
    return "\r\n".join(lines).encode(encoding)

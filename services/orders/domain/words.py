"""Human words for the keys the order's history would otherwise show raw. Pure data.

One table per kind of key. The wording is the web app's (web/src/i18n/common.ts `kind.*`,
web/src/features/media/messages.ts `purpose.*`), so a purpose reads the same in the history
as in the upload form. Python had no shared copy to import: scheduling's visit task titles and
notifications' reminder words live inside those services, which orders may not import
(ARCHITECTURE: a service never imports another's code). Gate conditions need no table here:
their messages travel with them (the pipeline's `message_ru`/`message_en`, copied into
AutoMoveRefused).
"""

from __future__ import annotations

from datetime import date
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

# DOMAIN.md, Reminders: the company's zone defaults to Europe/Moscow. Scheduling and
# notifications read it from their settings (`company_timezone`); orders has no such setting
# yet, so the history's times use this default.
COMPANY_TIMEZONE: Final = ZoneInfo("Europe/Moscow")


class Word(NamedTuple):
    ru: str
    en: str

    def text(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


VISIT_KINDS: Final[dict[str, Word]] = {
    "measurement": Word("Замер", "Measurement"),
    "delivery": Word("Доставка", "Delivery"),
    "installation": Word("Монтаж", "Installation"),
    "rework": Word("Доработка", "Rework"),
}

# contracts/events/scheduling.py TaskKind. A visit's task is named as its visit; `custom` has
# no word of its own (its title is free text the order's events do not carry).
TASK_KINDS: Final[dict[str, Word]] = {
    **VISIT_KINDS,
    "book_visit": Word("Запись на выезд", "Booking a visit"),
    "production": Word("Производство", "Production"),
}

# contracts/events/common.py DOCUMENT_PURPOSES and PHOTO_PURPOSES.
MEDIA_PURPOSES: Final[dict[str, Word]] = {
    "measurement": Word("Замер", "Measurement"),
    "installation": Word("Монтаж", "Installation"),
    "rework": Word("Доработка", "Rework"),
    "requirements": Word("Требования покупателя", "Customer requirements"),
    "contract_draft": Word("Проект договора", "Draft contract"),
    "calculation": Word("Технологический расчёт", "Calculation"),
    "signed_contract": Word("Подписанный договор", "Signed contract"),
    "other": Word("Другое", "Other"),
}


def word(table: dict[str, Word], key: str, lang: str) -> str | None:
    """The key's word, or None for a key the table lacks (never the key itself)."""
    found = table.get(key)
    return found.text(lang) if found else None


_MONTHS_EN: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def day(on: date, lang: str) -> str:
    """A calendar day as the web app writes it: 12.12.2026, or 12 Dec 2026 (no locale data
    needed, so the server's locale cannot change it)."""
    if lang == "ru":
        return on.strftime("%d.%m.%Y")
    return f"{on.day} {_MONTHS_EN[on.month - 1]} {on.year}"

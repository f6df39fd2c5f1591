"""The customer's confirmation SMS the day before a visit: when it goes and what it says. Pure.

When: at 18:00 the evening before, in the company's zone (the customer's: the company serves
its own city). A customer plans tomorrow in the evening, and «завтра» in the text is then
true whatever the visit's hour; «24 hours before» would wake a customer at 07:00 for a 07:00
visit, and say «завтра» about a visit that, sent at 23:00, is today by the time it is read.
A visit booked after 18:00 the day before gets its SMS at once, but not after 21:00 (no SMS
at night; whoever booked it so late has the customer on the phone anyway); a visit booked on
its own day gets none («завтра» would be false).

What: the visit kind in words, the window, the company's name and phone when configured.
Built from the visit's kind and times only, so nothing commercial (amount, prices, terms)
can ever be in it: the function has no such input.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SEND_AT = time(18)
LATEST = time(21)

# Who comes, as a customer would say it. Delivery is a thing brought, not a person arriving.
_WHO_COMES = {
    "measurement": "Замерщик приедет",
    "installation": "Монтажники приедут",
    "delivery": "Доставка приедет",
    "rework": "Мастер приедет",
}


def due_at(starts_at: datetime, now: datetime, tz: str) -> datetime | None:
    """When the confirmation for a visit starting at `starts_at` goes, or None if it should
    not go at all (the visit is today or past, or it is too late in the evening before)."""
    zone = ZoneInfo(tz)
    visit_day = starts_at.astimezone(zone).date()
    day_before = visit_day - timedelta(days=1)
    planned = datetime.combine(day_before, SEND_AT, zone)
    if now <= planned:
        return planned
    local_now = now.astimezone(zone)
    if local_now.date() == day_before and local_now.time() < LATEST:
        return now
    return None


def expires_at(starts_at: datetime, tz: str) -> datetime:
    """After this an unsent confirmation is not sent (the outbox parks it): 21:00 the evening
    before. Later it would come at night, or on the day itself, where «завтра» is false."""
    zone = ZoneInfo(tz)
    return datetime.combine(starts_at.astimezone(zone).date() - timedelta(days=1), LATEST, zone)


def text(
    visit_kind: str,
    starts_at: datetime,
    ends_at: datetime,
    tz: str,
    company_name: str = "",
    company_phone: str = "",
) -> str:
    """«Замерщик приедет завтра с 10:00 до 12:00. Фабрика «Дверь», +74951234567»."""
    zone = ZoneInfo(tz)
    start = starts_at.astimezone(zone).strftime("%H:%M")
    end = ends_at.astimezone(zone).strftime("%H:%M")
    who = _WHO_COMES.get(visit_kind, "Мы приедем")
    signature = ", ".join(p for p in (company_name.strip(), company_phone.strip()) if p)
    return f"{who} завтра с {start} до {end}." + (f" {signature}" if signature else "")

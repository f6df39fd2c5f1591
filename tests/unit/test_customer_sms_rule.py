"""When a customer's confirmation SMS goes, and what it says (domain/customer_sms.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.notifications.domain.customer_sms import due_at, text

MSK = ZoneInfo("Europe/Moscow")
VISIT = datetime(2026, 12, 10, 10, 0, tzinfo=MSK)


def test_it_goes_at_18_the_evening_before_in_the_company_zone() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=MSK)
    assert due_at(VISIT, now, "Europe/Moscow") == datetime(2026, 12, 9, 18, 0, tzinfo=MSK)
    yekt = due_at(VISIT, now, "Asia/Yekaterinburg")
    assert yekt == datetime(2026, 12, 9, 18, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))


def test_booked_after_18_the_day_before_it_goes_at_once_until_21() -> None:
    evening = datetime(2026, 12, 9, 20, 59, tzinfo=MSK)
    assert due_at(VISIT, evening, "Europe/Moscow") == evening
    assert due_at(VISIT, evening + timedelta(minutes=1), "Europe/Moscow") is None


def test_a_visit_booked_on_its_own_day_gets_none() -> None:
    assert due_at(VISIT, datetime(2026, 12, 10, 7, 0, tzinfo=MSK), "Europe/Moscow") is None


def test_the_text_names_who_comes_and_the_window_in_the_customer_zone() -> None:
    utc_start = VISIT.astimezone(ZoneInfo("UTC"))
    ends = utc_start + timedelta(hours=2)
    assert text("measurement", utc_start, ends, "Europe/Moscow") == (
        "Замерщик приедет завтра с 10:00 до 12:00."
    )
    assert text("installation", utc_start, ends, "Europe/Moscow", "Дверь", "+74951234567") == (
        "Монтажники приедут завтра с 10:00 до 12:00. Дверь, +74951234567"
    )
    assert text("delivery", utc_start, ends, "Europe/Moscow").startswith("Доставка приедет")

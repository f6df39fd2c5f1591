"""Reminders come the morning of the day before a visit and the morning of the day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.notifications.domain.reminders import reminders_for

MSK = ZoneInfo("Europe/Moscow")


def test_a_visit_gets_a_day_before_and_a_same_day_reminder_at_eight_local() -> None:
    visit = datetime(2026, 12, 3, 14, 0, tzinfo=MSK)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=MSK)
    due = reminders_for(visit, now)
    assert [(r.kind, r.due_at) for r in due] == [
        ("day_before", datetime(2026, 12, 2, 8, 0, tzinfo=MSK)),
        ("same_day", datetime(2026, 12, 3, 8, 0, tzinfo=MSK)),
    ]


def test_a_visit_booked_after_eight_the_day_before_gets_its_day_before_reminder_at_once() -> None:
    # Issue 16: the crew member must not first hear of tomorrow's visit on the day.
    visit = datetime(2026, 12, 3, 14, 0, tzinfo=MSK)
    booked_late = datetime(2026, 12, 2, 12, 0, tzinfo=MSK)
    assert [(r.kind, r.due_at) for r in reminders_for(visit, booked_late)] == [
        ("day_before", booked_late),
        ("same_day", datetime(2026, 12, 3, 8, 0, tzinfo=MSK)),
    ]


def test_on_the_day_itself_only_a_same_day_reminder_still_ahead_is_kept() -> None:
    visit = datetime(2026, 12, 3, 14, 0, tzinfo=MSK)
    assert [r.kind for r in reminders_for(visit, datetime(2026, 12, 3, 7, 0, tzinfo=MSK))] == [
        "same_day"
    ]
    assert reminders_for(visit, datetime(2026, 12, 3, 9, 0, tzinfo=MSK)) == []


def test_reminders_come_at_eight_in_the_crew_members_own_zone() -> None:
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")  # UTC+5, two hours ahead of Moscow
    visit = datetime(2026, 12, 3, 10, 0, tzinfo=yekaterinburg)
    due = reminders_for(visit, datetime(2026, 11, 30, tzinfo=UTC), tz="Asia/Yekaterinburg")
    assert [(r.kind, r.due_at.astimezone(UTC)) for r in due] == [
        ("day_before", datetime(2026, 12, 2, 3, 0, tzinfo=UTC)),
        ("same_day", datetime(2026, 12, 3, 3, 0, tzinfo=UTC)),
    ]


def test_an_early_visit_gets_no_same_day_reminder_after_it_started() -> None:
    visit = datetime(2026, 12, 3, 7, 30, tzinfo=MSK)
    now = datetime(2026, 11, 30, tzinfo=MSK)
    assert [r.kind for r in reminders_for(visit, now)] == ["day_before"]


def test_the_company_time_zone_decides_which_morning() -> None:
    # 23:30 UTC on the 2nd is already the 3rd in Moscow
    visit = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    due = reminders_for(visit, datetime(2026, 11, 30, tzinfo=UTC), hour=8)
    assert due[0].due_at == datetime(2026, 12, 2, 8, 0, tzinfo=MSK)
    vladivostok = reminders_for(visit, datetime(2026, 11, 30, tzinfo=UTC), tz="Asia/Vladivostok")
    assert vladivostok[0].due_at.date().isoformat() == "2026-12-02"

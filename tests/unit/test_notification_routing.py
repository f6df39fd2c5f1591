"""Who hears what and when (services/notifications/domain/routing.py, summary.py): pure."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.notifications.domain.routing import (
    KINDS,
    QuietHours,
    backoff_s,
    default_enabled,
    enabled,
    may_leave_app,
    release_at,
    urgent,
)
from services.notifications.domain.summary import summary_day

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 1, 23, 0, tzinfo=MSK)


def test_the_inbox_hears_everything_and_crews_hear_their_own_work_away_from_it() -> None:
    assert all(
        default_enabled(role, k, "inapp") for role in ("installer", "manager") for k in KINDS
    )
    assert default_enabled("installer", "visit_booked", "email")
    assert default_enabled("installer", "reminder", "webpush")
    assert not default_enabled("installer", "stage_changed", "email")
    assert default_enabled("manager", "production_finished", "email")
    assert not default_enabled("manager", "media_uploaded", "telegram")


def test_a_persons_choice_wins_but_never_sends_field_roles_what_may_name_a_hidden_order() -> None:
    assert enabled("manager", "media_uploaded", "email", {("media_uploaded", "email"): True})
    assert not enabled("installer", "visit_moved", "email", {("visit_moved", "email"): False})
    # A robot's free text or a role-wide task stays in the app for a crew, whatever they chose.
    assert not enabled("installer", "robot", "email", {("robot", "email"): True})
    assert not enabled("installer", "task_assigned", "telegram", {}, personal=False)
    assert enabled("installer", "task_assigned", "telegram", {}, personal=True)
    assert not may_leave_app("production", "mention", True)
    assert may_leave_app("director", "robot", False)


def test_urgent_is_a_visit_moved_or_cancelled_within_a_day_or_an_assignment_for_today() -> None:
    assert urgent("visit_moved", NOW + timedelta(hours=23), NOW, "Europe/Moscow")
    assert not urgent("visit_moved", NOW + timedelta(hours=25), NOW, "Europe/Moscow")
    assert urgent("visit_cancelled", NOW + timedelta(hours=2), NOW, "Europe/Moscow")
    assert urgent("visit_booked", NOW + timedelta(minutes=30), NOW, "Europe/Moscow")
    assert not urgent("visit_booked", NOW + timedelta(hours=2), NOW, "Europe/Moscow")  # tomorrow
    # 23:00 in Moscow is already tomorrow in Yekaterinburg: there it is today's.
    assert urgent("task_assigned", NOW + timedelta(hours=2), NOW, "Asia/Yekaterinburg")
    assert not urgent("reminder", NOW, NOW, "Europe/Moscow")


def test_quiet_hours_hold_what_is_not_urgent_until_they_end() -> None:
    night = QuietHours(time(22), time(8), "Europe/Moscow")
    assert release_at(NOW, night, False) == datetime(2026, 12, 2, 8, 0, tzinfo=MSK)
    early = datetime(2026, 12, 2, 6, 0, tzinfo=MSK)
    assert release_at(early, night, False) == datetime(2026, 12, 2, 8, 0, tzinfo=MSK)
    assert release_at(NOW, night, True) == NOW
    noon = datetime(2026, 12, 2, 12, 0, tzinfo=MSK)
    assert release_at(noon, night, False) == noon
    lunch = QuietHours(time(13), time(14), "Europe/Moscow")
    at = datetime(2026, 12, 2, 13, 30, tzinfo=MSK)
    assert release_at(at, lunch, False) == datetime(2026, 12, 2, 14, 0, tzinfo=MSK)
    assert release_at(NOW, None, False) == NOW


def test_back_off_doubles_with_jitter_and_is_capped() -> None:
    assert [backoff_s(n, 0.0) for n in (1, 2, 3)] == [2.5, 5.0, 10.0]
    assert backoff_s(1, 0.999) < 5.0
    assert backoff_s(40, 0.5) == 2700.0  # half of the hour's cap fixed, a quarter drawn


def test_the_summary_is_due_from_eight_in_the_company_zone() -> None:
    assert summary_day(datetime(2026, 12, 1, 4, 59, tzinfo=UTC), "Europe/Moscow", 8) is None
    day = summary_day(datetime(2026, 12, 1, 5, 1, tzinfo=UTC), "Europe/Moscow", 8)
    assert day is not None
    assert day.isoformat() == "2026-12-01"

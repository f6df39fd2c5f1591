"""A report's period: moments as sent, days whole in the company's time zone, a default month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.api.common import MomentOrDay
from services.projections.domain.reports import period

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_days_are_whole_days_in_the_company_zone() -> None:
    november = period(date(2026, 11, 1), date(2026, 11, 30), NOW)
    assert november.start == datetime(2026, 11, 1, tzinfo=MOSCOW)
    assert november.end == datetime(2026, 12, 1, tzinfo=MOSCOW)  # the 30th included
    assert november.start.astimezone(UTC) == datetime(2026, 10, 31, 21, tzinfo=UTC)


def test_moments_are_taken_as_sent() -> None:
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    end = datetime(2026, 11, 2, 9, tzinfo=MOSCOW)
    assert (period(start, end, NOW).start, period(start, end, NOW).end) == (start, end)


def test_without_bounds_the_last_thirty_days() -> None:
    found = period(None, None, NOW)
    assert (found.start, found.end) == (NOW - timedelta(days=30), NOW)


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("2026-11-01", date(2026, 11, 1)),
        ("2026-11-01T09:00:00+03:00", datetime(2026, 11, 1, 6, tzinfo=UTC)),
    ],
)
def test_a_bound_is_a_day_or_a_moment(sent: str, read: date) -> None:
    assert TypeAdapter(MomentOrDay).validate_python(sent) == read


@pytest.mark.parametrize("sent", [0, 0.5, "0.5", "1700000000", "01.11.2026", "2026-11-01T09:00"])
def test_nothing_else_is_a_bound(sent: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(MomentOrDay).validate_python(sent)

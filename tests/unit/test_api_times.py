"""A moment a client sends is RFC 3339 text, as the OpenAPI's `date-time` says: a number or
another ISO 8601 form is refused, not read as a time in 1970 or without its offset."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.api.common import When
from contracts.api.scheduling import AbsenceIn, BookVisit, ChangeVisit, CrewUpdate

WHEN: TypeAdapter[datetime] = TypeAdapter(When)


@pytest.mark.parametrize(
    "text",
    ["2025-03-03T09:00:00+03:00", "2025-03-03T06:00:00Z", "2025-03-03t06:00:00.123456z"],
)
def test_rfc_3339_text_is_a_moment(text: str) -> None:
    moment = WHEN.validate_python(text)
    assert moment.replace(microsecond=0) == datetime(2025, 3, 3, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    "sent",
    [
        0,
        0.5,
        "0.5",
        "1700000000",
        "2025-03-03",
        "2025-03-03T09:00",
        "2025-03-03T09:00:00",
        "2025-03-03T09:00+03:00",
        "2025-03-03 09:00:00+03:00",
        "2025-W10-1T09:00:00Z",
        None,
    ],
)
def test_anything_else_is_refused(sent: object) -> None:
    with pytest.raises(ValidationError):
        WHEN.validate_python(sent)


def test_the_scheduling_requests_take_only_rfc_3339_moments() -> None:
    with pytest.raises(ValidationError):
        ChangeVisit.model_validate({"starts_at": 0.0})
    with pytest.raises(ValidationError):
        AbsenceIn.model_validate({"starts_at": 0.0, "ends_at": "2000-01-01T00:00:00Z"})
    booked = BookVisit.model_validate(
        {
            "kind": "measurement",
            "assignee_id": "00000000-0000-0000-0000-000000000001",
            "starts_at": "2025-03-03T09:00:00+03:00",
            "ends_at": "2025-03-03T10:00:00+03:00",
        }
    )
    assert booked.starts_at == datetime(2025, 3, 3, 6, tzinfo=UTC)


def test_a_day_off_is_a_date_as_text() -> None:
    assert CrewUpdate.model_validate({"days_off": ["2025-03-08"]}).days_off == [date(2025, 3, 8)]
    for sent in (0.0, 0, "0", "2025-03-08T00:00:00Z", "08.03.2025"):
        with pytest.raises(ValidationError):
            CrewUpdate.model_validate({"days_off": [sent]})

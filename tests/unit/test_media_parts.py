"""How an upload is cut into parts, which parts are missing, and how a part's URL is signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from minio import Minio

from services.media.adapters.presign import presigned_url
from services.media.application import decisions
from services.media.domain.model import Declared, Media
from services.media.domain.parts import MIN_PART_BYTES, PartPlan, plan_for

MiB = 1024 * 1024
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_given_a_file_of_one_part_or_less_when_planned_then_it_stays_one_put() -> None:
    assert plan_for(1, MIN_PART_BYTES) is None
    assert plan_for(MIN_PART_BYTES, MIN_PART_BYTES) is None
    assert plan_for(MIN_PART_BYTES + 1, MIN_PART_BYTES) == PartPlan(MIN_PART_BYTES + 1, 5 * MiB)


def test_given_a_part_size_under_the_s3_minimum_when_planned_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        plan_for(20 * MiB, MIN_PART_BYTES - 1)


def test_given_a_plan_when_lengths_are_asked_then_only_the_last_part_is_shorter() -> None:
    plan = PartPlan(12 * MiB + 5, 5 * MiB)
    assert plan.count == 3
    assert [plan.length(n) for n in (1, 2, 3)] == [5 * MiB, 5 * MiB, 2 * MiB + 5]
    assert sum(plan.length(n) for n in range(1, plan.count + 1)) == plan.size
    with pytest.raises(ValueError, match=r"not in 1\.\.3"):
        plan.length(4)
    assert plan.invalid([0, 1, 3, 4, 4]) == [0, 4]


def test_given_held_parts_when_missing_is_asked_then_absent_and_wrong_lengths_count() -> None:
    plan = PartPlan(12 * MiB, 5 * MiB)
    assert plan.missing({}) == [1, 2, 3]
    assert plan.missing({1: 5 * MiB, 3: 2 * MiB}) == [2]
    assert plan.missing({1: 5 * MiB, 2: 5 * MiB - 1, 3: 2 * MiB}) == [2]
    assert plan.missing({1: 5 * MiB, 2: 5 * MiB, 3: 2 * MiB}) == []


def _media(status: str, upload_id: str | None) -> Media:
    return Media(
        id=uuid4(),
        order_id=uuid4(),
        declared=Declared("document", "requirements", "a.pdf", "application/pdf", 12 * MiB),
        uploaded_by=uuid4(),
        client_key="k",
        status=status,  # type: ignore[arg-type]
        created_at=NOW,
        url_expires_at=NOW,
        part_size=5 * MiB,
        upload_id=upload_id,
    )


def test_given_a_pending_upload_when_renewed_then_it_keeps_its_parts() -> None:
    change = decisions.renew(_media("pending", "up-1"), NOW + timedelta(minutes=15))
    assert change is not None
    assert change.media.upload_id == "up-1"


@pytest.mark.parametrize("status", ["expired", "rejected"])
def test_given_a_dead_upload_when_renewed_then_it_starts_afresh(status: str) -> None:
    change = decisions.renew(_media(status, "up-1"), NOW + timedelta(minutes=15))
    assert change is not None
    assert (change.media.status, change.media.upload_id) == ("pending", None)


def test_given_new_part_urls_when_extended_then_only_a_pending_window_moves_on() -> None:
    later = NOW + timedelta(minutes=15)
    moved = decisions.extend(_media("pending", "up-1"), later)
    assert moved is not None
    assert moved.media.url_expires_at == later
    assert decisions.extend(_media("expired", None), later) is None
    assert decisions.extend(_media("pending", "up-1"), NOW) is None  # not earlier


ACCESS, SECRET = "omsEXAMPLEKEY123", "s3cr/t+key"
PART_QUERY = {"partNumber": "2", "uploadId": "abc/def=="}


def _part_url(headers: dict[str, str] | None) -> str:
    return presigned_url(
        "PUT",
        "http://127.0.0.1:9000",
        "oms-media",
        "uploads/o/m",
        access_key=ACCESS,
        secret_key=SECRET,
        region="us-east-1",
        expires=timedelta(minutes=15),
        now=NOW,
        headers=headers,
        query=PART_QUERY,
    )


def test_given_a_part_when_presigned_then_it_is_minios_part_url_with_the_length_signed() -> None:
    """With only `host` signed, a part's URL is what minio-py signs with extra_query_params
    (ARCHITECTURE.md's recipe); ours signs the part's length as well."""
    client = Minio("127.0.0.1:9000", access_key=ACCESS, secret_key=SECRET, secure=False)
    client._region_map["oms-media"] = "us-east-1"  # no network call for the region
    theirs = client.get_presigned_url(
        "PUT",
        "oms-media",
        "uploads/o/m",
        timedelta(minutes=15),
        request_date=NOW,
        extra_query_params=dict(PART_QUERY.items()),
    )
    mine = urlsplit(_part_url(None))
    assert mine.path == urlsplit(theirs).path
    # The same parameters and signature; only the order they are written in differs.
    assert parse_qs(mine.query) == parse_qs(urlsplit(theirs).query)
    ours = parse_qs(urlsplit(_part_url({"Content-Length": str(5 * MiB)})).query)
    assert ours["X-Amz-SignedHeaders"] == ["content-length;host"]
    assert ours["partNumber"] == ["2"]
    assert ours["uploadId"] == ["abc/def=="]

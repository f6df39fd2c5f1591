"""Pure media rules of issue 11: purposes per role, the pixel budget, the size-bound upload
URL, the work slots, and decode refusals that never name a server path."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from minio import Minio
from PIL import Image

from services.media.adapters.imaging import PillowImaging
from services.media.adapters.presign import presigned_url
from services.media.application.ports import NotAnImage
from services.media.application.work import Busy, WorkLimit
from services.media.domain.pixels import DEFAULT_BUDGET, TooManyPixels, check_pixels
from services.media.domain.purposes import (
    COMMERCIAL_PURPOSES,
    EVERY_PURPOSE,
    PurposeNotAllowed,
    PurposePolicy,
)
from services.media.domain.rules import UNNAMED, clean_filename
from services.media.entrypoints.errors import status_of
from tests.integration.test_media_upload import png_bomb

POLICY = PurposePolicy()


@pytest.mark.parametrize(
    ("role", "kind", "purpose"),
    [
        ("measurer", "photo", "measurement"),
        ("measurer", "document", "measurement"),
        ("installer", "photo", "installation"),
        ("installer", "photo", "rework"),
        *[("manager", "document", p) for p in sorted(EVERY_PURPOSE)],
        ("director", "photo", "installation"),
    ],
)
def test_given_a_role_when_it_attaches_its_own_purpose_then_it_may(
    role: str, kind: str, purpose: str
) -> None:
    POLICY.check(role, kind, purpose)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "kind", "purpose"),
    [
        ("measurer", "photo", "installation"),  # the probe: clearing the installers' gate
        ("measurer", "photo", "rework"),
        ("measurer", "document", "signed_contract"),
        ("installer", "photo", "measurement"),
        ("installer", "document", "requirements"),
        ("delivery", "photo", "installation"),
        ("delivery", "photo", "other"),
        ("production", "document", "other"),
        ("admin", "document", "requirements"),  # admin administers: sees no order's files
        ("admin", "document", "signed_contract"),
        ("nobody-knows", "photo", "other"),
    ],
)
def test_given_a_role_when_it_attaches_another_crews_purpose_then_it_is_forbidden(
    role: str, kind: str, purpose: str
) -> None:
    with pytest.raises(PurposeNotAllowed) as refused:
        POLICY.check(role, kind, purpose)  # type: ignore[arg-type]
    assert status_of(refused.value) == 403
    assert f"role {role}" in refused.value.message
    assert repr(purpose) in refused.value.message


def test_given_the_refusal_when_read_then_it_names_what_the_role_may_attach() -> None:
    with pytest.raises(PurposeNotAllowed) as refused:
        POLICY.check("measurer", "photo", "installation")
    assert refused.value.message.endswith("allowed for measurer: measurement")
    assert refused.value.extra == {"purpose": "installation", "role": "measurer"}


def test_given_a_company_setting_when_delivery_is_allowed_other_then_only_other() -> None:
    policy = PurposePolicy.with_delivery(["other", " "])
    policy.check("delivery", "photo", "other")
    policy.check("delivery", "document", "other")
    with pytest.raises(PurposeNotAllowed):
        policy.check("delivery", "photo", "installation")
    assert PurposePolicy.with_delivery([]).allowed("delivery") == frozenset()


def test_given_a_misspelt_or_commercial_delivery_purpose_when_configured_then_start_fails() -> None:
    with pytest.raises(ValueError, match="not media purposes: instalation"):
        PurposePolicy.with_delivery(["instalation"])
    for purpose in COMMERCIAL_PURPOSES:
        with pytest.raises(ValueError, match="commercial"):
            PurposePolicy.with_delivery([purpose])


def test_given_an_image_header_when_over_the_pixel_budget_then_it_is_refused_with_its_size() -> (
    None
):
    check_pixels(8064, 6048, DEFAULT_BUDGET)  # a 48 MP phone photo fits
    with pytest.raises(TooManyPixels) as refused:
        check_pixels(20_000, 20_000, DEFAULT_BUDGET)
    assert status_of(refused.value) == 422
    assert refused.value.message == (
        "the image is 20000x20000 pixels (400.0 megapixels); at most 50.0 megapixels are accepted"
    )


NOW = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)
ACCESS, SECRET, REGION = "omsEXAMPLEKEY123", "s3cr/t+key", "us-east-1"
TTL = timedelta(minutes=15)


def _presign(endpoint: str, key: str, headers: dict[str, str] | None = None) -> str:
    return presigned_url(
        "PUT",
        endpoint,
        "oms-media",
        key,
        access_key=ACCESS,
        secret_key=SECRET,
        region=REGION,
        expires=TTL,
        now=NOW,
        headers=headers,
    )


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9000", "https://files.example.com"])
def test_given_only_host_signed_when_presigned_then_it_is_minios_own_url(endpoint: str) -> None:
    """Our signer is minio-py's, character for character, when it signs what minio signs."""
    url = urlsplit(endpoint)
    client = Minio(
        url.netloc,
        access_key=ACCESS,
        secret_key=SECRET,
        secure=url.scheme == "https",
        region=REGION,
    )
    key = "uploads/a b/Замер кухни.pdf"
    theirs = client.get_presigned_url("PUT", "oms-media", key, TTL, request_date=NOW)
    assert _presign(endpoint, key) == theirs


def test_given_a_declared_size_when_presigned_then_the_length_is_a_signed_header() -> None:
    url = _presign("http://127.0.0.1:9000", "uploads/o/m", {"Content-Length": "1234"})
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-SignedHeaders"] == ["content-length;host"]
    other = _presign("http://127.0.0.1:9000", "uploads/o/m", {"Content-Length": "1235"})
    assert parse_qs(urlsplit(other).query)["X-Amz-Signature"] != query["X-Amz-Signature"]


async def test_given_all_slots_taken_when_a_request_waits_too_long_then_it_is_busy() -> None:
    limit = WorkLimit(1, wait_s=0.05)
    async with limit.slot():
        with pytest.raises(Busy) as busy:
            async with limit.slot():
                pass
        assert status_of(busy.value) == 503
        waiting = asyncio.create_task(_hold(limit))  # background work waits instead
        await asyncio.sleep(0.1)
        assert not waiting.done()
    await asyncio.wait_for(waiting, 1)
    async with limit.slot():  # every slot came back
        pass


async def _hold(limit: WorkLimit) -> None:
    async with limit.slot(wait=True):
        pass


@pytest.fixture
def imaging() -> Iterator[PillowImaging]:
    before = Image.MAX_IMAGE_PIXELS  # process-wide: put back for the other tests
    yield PillowImaging(ZoneInfo("Europe/Moscow"), DEFAULT_BUDGET)
    Image.MAX_IMAGE_PIXELS = before


def test_given_the_budget_when_imaging_starts_then_pillow_refuses_bombs_too(
    imaging: PillowImaging,
) -> None:
    assert Image.MAX_IMAGE_PIXELS == DEFAULT_BUDGET


@pytest.mark.parametrize(
    ("size", "fragment"),
    [((8_000, 6_400), "8000x6400 pixels"), ((20_000, 20_000), "400.0 megapixels")],
)
async def test_given_a_pixel_bomb_when_inspected_then_it_is_refused_before_decoding(
    imaging: PillowImaging, tmp_path: Path, size: tuple[int, int], fragment: str
) -> None:
    path = tmp_path / "original"
    path.write_bytes(png_bomb(*size))
    with pytest.raises(TooManyPixels) as refused:
        await imaging.inspect(path)
    assert fragment in refused.value.message
    with pytest.raises(TooManyPixels):
        await imaging.thumbnail(path, tmp_path / "thumb.jpg")


@pytest.mark.parametrize(
    "data",
    [
        b"not an image at all" * 10,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        b"",
    ],
)
async def test_given_junk_when_inspected_then_the_reason_names_no_path(
    imaging: PillowImaging, tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "original"
    path.write_bytes(data)
    with pytest.raises(NotAnImage) as refused:
        await imaging.inspect(path)
    assert str(tmp_path) not in str(refused.value)
    assert "original" not in str(refused.value)


async def test_given_a_truncated_jpeg_when_inspected_then_it_says_truncated(
    imaging: PillowImaging, tmp_path: Path
) -> None:
    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(out, "JPEG")
    path = tmp_path / "original"
    path.write_bytes(out.getvalue()[: len(out.getvalue()) // 2])
    with pytest.raises(NotAnImage, match="truncated"):
        await imaging.inspect(path)


def test_given_a_role_when_its_purposes_are_listed_then_each_kind_has_its_own() -> None:
    assert POLICY.by_kind("measurer") == {"photo": ["measurement"], "document": ["measurement"]}
    assert POLICY.by_kind("installer") == {"photo": ["installation", "rework"], "document": []}
    assert POLICY.by_kind("delivery") == {"photo": [], "document": []}
    assert set(POLICY.by_kind("manager")["document"]) >= COMMERCIAL_PURPOSES


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("IMG_0001.HEIC", "IMG_0001.HEIC"),
        ("C:\\Users\\anna\\Замер.pdf", "Замер.pdf"),
        ("/home/anna/b.jpg", "b.jpg"),
        ("bad\x07name.png", "badname.png"),
        ("/", UNNAMED),
        ("..", UNNAMED),
        ("dir/", UNNAMED),
        ("\x01\x02", UNNAMED),
    ],
)
def test_a_filename_is_cleaned_never_refused(sent: str, kept: str) -> None:
    # It is only shown to people: an upload is not refused over its name (schemathesis sent
    # "/", a valid non-empty string, and got a 422).
    assert clean_filename(sent) == kept

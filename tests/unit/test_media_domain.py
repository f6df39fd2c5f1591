"""Pure media rules: sniffing types by magic bytes, Office ZIPs, EXIF, limits, roles."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.media.domain import exif, rules, sniff, zipdir
from services.media.domain.errors import NotPermitted, TooBig, Unacceptable
from services.media.domain.model import MB, Declared, Limits, Media

MOSCOW = ZoneInfo("Europe/Moscow")
HEIC_HEAD = b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heicmiaf" + b"\x00" * 16
AVIF_HEAD = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 16


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (HEIC_HEAD, "heif"),
        (AVIF_HEAD, None),
        (b"hello, I am text", None),
        (b"", None),
    ],
)
def test_given_first_bytes_when_sniffed_then_the_real_format_is_named(
    head: bytes, found: str | None
) -> None:
    assert sniff.sniff(head) == found


def test_given_text_declared_as_jpeg_when_matched_then_it_does_not_match() -> None:
    assert not sniff.matches(rules.JPEG, b"plain text, not an image")
    assert sniff.matches(rules.HEIC, HEIC_HEAD)
    assert sniff.matches(rules.DOCX, b"PK\x03\x04rest")


def _zip(*names: str, comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in names:
            package.writestr(name, "x")
        package.comment = comment
    return out.getvalue()


def _office_kind(data: bytes) -> str | None:
    offset, _ = zipdir.tail_range(len(data))
    cd_offset, cd_size = zipdir.locate_directory(data[offset:], offset, len(data))
    return zipdir.office_kind(zipdir.entry_names(data[cd_offset : cd_offset + cd_size]))


def test_given_an_office_zip_when_its_directory_is_read_then_word_and_excel_differ() -> None:
    assert _office_kind(_zip("[Content_Types].xml", "word/document.xml")) == "docx"
    assert (
        _office_kind(_zip("[Content_Types].xml", "xl/workbook.xml", comment=b"c" * 500)) == "xlsx"
    )
    assert _office_kind(_zip("photo.jpg", "word/readme.txt")) is None


def test_given_a_truncated_zip_when_located_then_it_is_refused() -> None:
    data = _zip("[Content_Types].xml", "word/document.xml")
    with pytest.raises(zipdir.BadZip):
        zipdir.locate_directory(data[:-30], 0, len(data) - 30)


def test_given_exif_with_offset_when_read_then_the_time_keeps_its_offset() -> None:
    tags = {exif.DATE_TIME_ORIGINAL: "2024:05:01 10:20:30", exif.OFFSET_TIME_ORIGINAL: "+05:00"}
    assert exif.capture_time(tags, MOSCOW) == datetime(
        2024, 5, 1, 10, 20, 30, tzinfo=timezone(timedelta(hours=5))
    )


def test_given_exif_without_offset_when_read_then_the_company_zone_is_assumed() -> None:
    taken = exif.capture_time({exif.DATE_TIME_ORIGINAL: "2024:05:01 10:20:30"}, MOSCOW)
    assert taken is not None
    assert taken.astimezone(UTC).hour == 7


def test_given_a_garbled_or_missing_date_when_read_then_it_is_unknown() -> None:
    assert exif.capture_time({exif.DATE_TIME_ORIGINAL: "0000:00:00 00:00:00"}, MOSCOW) is None
    assert exif.capture_time({}, MOSCOW) is None


def test_given_gps_in_the_south_west_when_read_then_the_signs_follow_the_refs() -> None:
    gps = {1: "S", 2: (33.0, 51.0, 36.0), 3: "W", 4: (70.0, 39.0, 0.0)}
    point = exif.position(gps)
    assert point is not None
    assert (point.lat, point.lon) == (-33.86, -70.65)


def test_given_gps_without_a_fix_when_read_then_there_is_no_position() -> None:
    assert exif.position({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}) is None
    assert exif.position({2: (float("nan"), 0.0, 0.0), 4: (1.0, 0.0, 0.0)}) is None
    assert exif.position({}) is None


def _declared(**change: object) -> Declared:
    base = {
        "kind": "photo",
        "purpose": "installation",
        "filename": "IMG.JPG",
        "content_type": "image/jpeg",
        "size": 1000,
    }
    return Declared(**{**base, **change})  # type: ignore[arg-type]


def test_given_a_photo_over_its_limit_when_declared_then_it_is_too_large() -> None:
    with pytest.raises(TooBig):
        rules.check_declaration(_declared(size=25 * MB + 1), Limits())
    assert rules.check_declaration(_declared(size=25 * MB), Limits()).size == 25 * MB
    assert rules.check_declaration(
        _declared(kind="document", purpose="other", content_type="application/pdf", size=50 * MB),
        Limits(),
    )


def test_given_a_photo_naming_its_visit_when_declared_then_the_visit_is_kept() -> None:
    visit = uuid.uuid4()
    assert rules.check_declaration(_declared(visit_id=visit), Limits()).visit_id == visit
    assert rules.check_declaration(_declared(), Limits()).visit_id is None


def test_given_a_pdf_declared_as_a_photo_when_checked_then_the_type_is_refused() -> None:
    with pytest.raises(Unacceptable) as refused:
        rules.check_declaration(_declared(content_type="application/pdf"), Limits())
    assert refused.value.code == "content_type_not_allowed"


def test_given_a_path_as_filename_when_checked_then_only_the_name_is_kept() -> None:
    cleaned = rules.check_declaration(_declared(filename="C:\\fakepath\\IMG\x00.JPG"), Limits())
    assert cleaned.filename == "IMG.JPG"
    assert rules.check_declaration(_declared(content_type="Image/JPEG; q=1"), Limits())


def _media(uploaded_by: uuid.UUID, created_at: datetime) -> Media:
    return Media(
        uuid.uuid4(), uuid.uuid4(), _declared(), uploaded_by, None, "ready", created_at, created_at
    )


def test_given_the_uploader_after_an_hour_when_detaching_then_only_a_manager_may() -> None:
    now, uploader = datetime(2024, 5, 1, 12, tzinfo=UTC), uuid.uuid4()
    media = _media(uploader, now - timedelta(minutes=59))
    rules.check_detach(media, "installer", uploader, now)
    late = _media(uploader, now - timedelta(minutes=61))
    with pytest.raises(NotPermitted):
        rules.check_detach(late, "installer", uploader, now)
    rules.check_detach(late, "manager", uuid.uuid4(), now)
    with pytest.raises(NotPermitted):
        rules.check_detach(media, "measurer", uuid.uuid4(), now)

"""Rules about declarations and who may detach what. Pure: time arrives as an argument."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from contracts.events.common import DOCUMENT_PURPOSES, PHOTO_PURPOSES
from contracts.roles import may
from services.media.domain.errors import NotPermitted, TooBig, Unacceptable
from services.media.domain.model import Declared, Limits, Media

PDF: Final = "application/pdf"
JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
WEBP: Final = "image/webp"
HEIC: Final = "image/heic"
HEIF: Final = "image/heif"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

IMAGE_TYPES: Final = frozenset({JPEG, PNG, WEBP, HEIC, HEIF})
DOCUMENT_TYPES: Final = frozenset({PDF, DOCX, XLSX, *IMAGE_TYPES})  # a scan may be a photo
PURPOSES: Final = {"document": frozenset(DOCUMENT_PURPOSES), "photo": frozenset(PHOTO_PURPOSES)}
# Commercial documents (DOMAIN.md): never listed or signed for field roles or production.
COMMERCIAL: Final = frozenset({"contract_draft", "calculation", "signed_contract"})
DETACH_WINDOW: Final = timedelta(hours=1)
MAX_FILENAME: Final = 200
UNNAMED: Final = "file"  # a name with nothing left to show (clean_filename)


class ContentTypeNotAllowed(Unacceptable):
    code = "content_type_not_allowed"


class UnknownPurpose(Unacceptable):
    code = "unknown_purpose"


def clean_filename(raw: str) -> str:
    """The last path segment, without control characters, at most 200 characters.

    Phones send names like `IMG_0001.HEIC` but a browser may send a full path; the name is
    shown to people and put into Content-Disposition, never used as a storage key. So a name
    with nothing left to show ("/", "..", control characters) is not worth refusing the
    upload over: it becomes UNNAMED (and the OpenAPI can say "any non-empty text").
    """
    name = re.split(r"[\\/]", raw.strip())[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if not name or name in {".", ".."}:
        return UNNAMED
    return name[:MAX_FILENAME]


def check_declaration(declared: Declared, limits: Limits) -> Declared:
    """Refuse what can never become valid media, before any URL is signed."""
    if declared.purpose not in PURPOSES[declared.kind]:
        allowed = ", ".join(sorted(PURPOSES[declared.kind]))
        raise UnknownPurpose(
            f"purpose {declared.purpose!r} is not one of {allowed} for a {declared.kind}"
        )
    content_type = declared.content_type.split(";", 1)[0].strip().lower()
    allowed_types = IMAGE_TYPES if declared.kind == "photo" else DOCUMENT_TYPES
    if content_type not in allowed_types:
        raise ContentTypeNotAllowed(
            f"content type {content_type!r} is not allowed for a {declared.kind}; "
            f"allowed: {', '.join(sorted(allowed_types))}"
        )
    if declared.size <= 0:
        raise Unacceptable(
            "size: must be the file's size in bytes, above zero", code="invalid_size"
        )
    limit = limits.for_kind(declared.kind)
    if declared.size > limit:
        raise TooBig(f"a {declared.kind} may be at most {limit} bytes; declared {declared.size}")
    return Declared(
        declared.kind,
        declared.purpose,
        clean_filename(declared.filename),
        content_type,
        declared.size,
        declared.visit_id,
    )


def check_detach(media: Media, role: str, actor_id: UUID, now: datetime) -> None:
    """Managers and directors detach anything; the uploader only within an hour of upload."""
    if may(role, "media.manage_any"):
        return
    if media.uploaded_by == actor_id and now - media.created_at <= DETACH_WINDOW:
        return
    raise NotPermitted(
        "only a manager, a director, or the uploader within an hour may detach this",
        code="detach_not_allowed",
    )


def check_completer(media: Media, role: str, actor_id: UUID) -> None:
    """The uploader completes their own upload; a manager may complete for them."""
    if media.uploaded_by != actor_id and not may(role, "media.manage_any"):
        raise NotPermitted("only the uploader may complete this upload", code="not_uploader")


def sees_commercial(role: str) -> bool:
    return may(role, "commercial.see")

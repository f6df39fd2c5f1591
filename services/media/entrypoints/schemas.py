"""Request and response shapes of the media service's HTTP API (API.md, Media)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.common import GeoPoint, MediaKind
from services.media.application.service import Links, Upload
from services.media.domain.model import Media, Status


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MediaKind
    purpose: str = Field(min_length=1, max_length=50)
    filename: str = Field(min_length=1, max_length=500)
    content_type: str = Field(min_length=1, max_length=200)
    size: int = Field(gt=0, description="bytes; the upload must be exactly this long")
    client_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the client's id for this file: a retry with it gets the same media_id",
    )
    visit_id: UUID | None = None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "reject"]
    reason: str | None = Field(default=None, max_length=500)


class PurposesOut(BaseModel):
    role: str
    purposes: dict[MediaKind, list[str]]


class UploadOut(BaseModel):
    media_id: UUID
    upload_url: str
    method: str = "PUT"
    expires_at: datetime
    status: Status


class MediaOut(BaseModel):
    media_id: UUID
    order_id: UUID
    kind: MediaKind
    purpose: str
    filename: str
    content_type: str
    size: int
    status: Status
    uploaded_by: UUID
    created_at: datetime
    taken_at: datetime | None = None
    location: GeoPoint | None = None
    visit_id: UUID | None = None
    review: str | None = None
    download_url: str | None = None
    thumbnail_url: str | None = None


def upload_out(upload: Upload) -> UploadOut:
    return UploadOut(
        media_id=upload.media.id,
        upload_url=upload.url,
        expires_at=upload.expires_at,
        status=upload.media.status,
    )


def media_out(media: Media, links: Links | None) -> MediaOut:
    d = media.declared
    return MediaOut(
        media_id=media.id,
        order_id=media.order_id,
        kind=d.kind,
        purpose=d.purpose,
        filename=d.filename,
        content_type=d.content_type,
        size=d.size,
        status=media.status,
        uploaded_by=media.uploaded_by,
        created_at=media.created_at,
        taken_at=media.facts.taken_at,
        location=media.facts.location,
        visit_id=d.visit_id,
        review=media.review,
        download_url=links.download_url if links else None,
        thumbnail_url=links.thumbnail_url if links else None,
    )

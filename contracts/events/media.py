"""Events of the media service (topic `media.events`, stream `media-<id>`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.events.common import GeoPoint, MediaKind


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MediaUploaded(_Event):
    """The object exists, fits its size limit, and its bytes match its declared type."""

    media_id: UUID
    order_id: UUID
    kind: MediaKind
    purpose: str
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    taken_at: datetime | None = None
    location: GeoPoint | None = None


class MediaDeleted(_Event):
    """Detached: the order's gate facts must stop counting it."""

    media_id: UUID
    order_id: UUID
    kind: MediaKind
    purpose: str
    deleted_by: UUID


class ThumbnailReady(_Event):
    media_id: UUID
    order_id: UUID

"""Events of the media service (topic `media.events`, stream `media-<id>`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.events.common import GeoPoint, MediaKind


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MediaUploadedV1(_Event):
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


class MediaUploaded(MediaUploadedV1):
    """The object exists, fits its size limit, and its bytes match its declared type.
    v2: `visit_id`, the visit the uploader said the file belongs to (issue 15)."""

    visit_id: UUID | None = None


class MediaReviewed(_Event):
    """A manager's decision on a photo not confirmed on site: it counts (`confirm`) or never
    counts (`reject`) for its gate."""

    media_id: UUID
    order_id: UUID
    decision: Literal["confirm", "reject"]
    reason: str | None = None
    reviewed_by: UUID


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

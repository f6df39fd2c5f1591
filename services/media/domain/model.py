"""What the media service knows about one file: its declaration, its state, its place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from contracts.events.common import GeoPoint, MediaKind

Status = Literal["pending", "ready", "rejected", "expired", "deleted"]
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits per kind (settings feed them): a phone photo is smaller than a scan."""

    photo_max_bytes: int = 25 * MB
    document_max_bytes: int = 50 * MB

    def for_kind(self, kind: MediaKind) -> int:
        return self.photo_max_bytes if kind == "photo" else self.document_max_bytes


@dataclass(frozen=True)
class Declared:
    """What the client says it is about to upload; checked before any URL is issued."""

    kind: MediaKind
    purpose: str
    filename: str
    content_type: str
    size: int
    visit_id: UUID | None = None  # the visit a photo belongs to (issue 15), if named


@dataclass(frozen=True)
class PhotoFacts:
    """Read from the image itself once it has been verified."""

    taken_at: datetime | None = None
    location: GeoPoint | None = None


@dataclass(frozen=True)
class Media:
    id: UUID
    order_id: UUID
    declared: Declared
    uploaded_by: UUID
    client_key: str | None
    status: Status
    created_at: datetime
    url_expires_at: datetime
    version: int = 0  # of the stream `media-<id>`: how many events it has emitted
    facts: PhotoFacts = PhotoFacts()
    thumbnail: bool = False
    reject_reason: str | None = None
    deleted_by: UUID | None = None
    review: str | None = None  # a manager's "confirm" or "reject" (photos off site)

    @property
    def upload_key(self) -> str:
        """Where the client PUTs. Never read after completion: the bytes are copied away."""
        return f"uploads/{self.order_id}/{self.id}"

    @property
    def object_key(self) -> str:
        """The verified copy; no upload URL points here, so nobody can overwrite it."""
        return f"orders/{self.order_id}/{self.id}"

    @property
    def thumbnail_key(self) -> str:
        return f"{self.object_key}.thumb.jpg"

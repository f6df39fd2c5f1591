"""The ports of the media application; adapters implement them (fakes in adapters/memory.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel

from contracts.envelope import Actor
from services.media.domain.errors import MediaRefusal
from services.media.domain.model import Media, PhotoFacts

STORAGE_RETRY_AFTER_S = 10


class StorageUnavailable(MediaRefusal):
    """The object store cannot be reached or failed (any 5xx of its own): nothing was kept
    or decided, and the same call may simply be made again later (503 with Retry-After).
    Never a refusal of the file: an upload it interrupts stays pending."""

    code = "storage_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message, retry_after=STORAGE_RETRY_AFTER_S)


class StorageFull(StorageUnavailable):
    """The object store has no room left: the same 503, with its own code, since it lasts
    until someone frees space rather than seconds."""

    code = "storage_full"


@dataclass(frozen=True)
class Change:
    """A decided state change: the new row, the events it emits, a thumbnail job or not.
    The repository writes all three in one transaction (the outbox is the log)."""

    media: Media
    events: Sequence[BaseModel] = ()
    thumbnail_job: bool = False


Decide = Callable[[Media], Change | None]  # None: nothing to change
Remove = Callable[[Sequence[str]], Awaitable[None]]
Abort = Callable[[str, str], Awaitable[None]]  # (key, multipart upload id)


class MediaRepository(Protocol):
    async def insert_pending(self, media: Media) -> Media:
        """Insert; if the uploader already used this client key on this order, return that row."""
        ...

    async def get(self, media_id: UUID) -> Media | None: ...

    async def list_ready(self, order_id: UUID) -> list[Media]: ...

    async def update(self, media_id: UUID, decide: Decide, actor: Actor) -> Media:
        """Lock the row, decide on its current state, write the change and its events."""
        ...

    async def take_thumbnail_job(self, make: Callable[[Media], Awaitable[None]]) -> bool:
        """Claim one due job (others skip it), run `make`, then record ThumbnailReady; on
        failure retry later. False when no job was due."""
        ...

    async def open_multipart(self, media_id: UUID, upload_id: str) -> Media:
        """Record `upload_id` as the item's multipart upload unless one is already recorded
        (two creates with one client key at once): the row as it then is."""
        ...

    async def sweep_uploads(
        self, before: datetime, limit: int, remove: Remove, abort: Abort
    ) -> int:
        """Upload keys whose URL expired before `before`: abort their multipart uploads,
        remove them, expire pending rows."""
        ...

    async def purge_unattached(self, limit: int, remove: Remove) -> int:
        """Objects of detached, rejected or expired media not removed yet: removal after a
        commit may fail, so this is the path that makes it eventually true."""
        ...


@dataclass(frozen=True)
class ObjectInfo:
    size: int


@dataclass(frozen=True)
class HeldPart:
    """A part of a multipart upload as the store lists it."""

    number: int
    size: int
    etag: str


class ObjectStorage(Protocol):
    """Every call raises StorageUnavailable (or StorageFull) when the store itself fails."""

    async def presign_put(self, key: str, ttl: timedelta, size: int) -> str:
        """A URL for one PUT of exactly `size` bytes (the store refuses any other length)."""
        ...

    async def presign_part(
        self, key: str, upload_id: str, number: int, ttl: timedelta, size: int
    ) -> str:
        """A URL for one part of exactly `size` bytes of the multipart upload `upload_id`."""
        ...

    async def start_multipart(self, key: str, content_type: str) -> str: ...

    async def list_parts(self, key: str, upload_id: str) -> list[HeldPart] | None:
        """None when the multipart upload is no longer open."""
        ...

    async def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[HeldPart]
    ) -> bool: ...

    async def abort_multipart(self, key: str, upload_id: str) -> None: ...

    async def presign_get(
        self, key: str, ttl: timedelta, content_type: str, filename: str | None
    ) -> str: ...

    async def stat(self, key: str) -> ObjectInfo | None: ...

    async def read_range(self, key: str, offset: int, length: int) -> bytes: ...

    async def download(self, key: str, path: Path) -> None: ...

    async def upload_file(self, key: str, path: Path, content_type: str) -> None: ...

    async def copy(self, source: str, target: str) -> bool:
        """Server-side copy; False when the source does not exist."""
        ...

    async def remove(self, keys: Sequence[str]) -> None: ...


class NotAnImage(ValueError):
    pass


@dataclass(frozen=True)
class ImageFacts:
    format: str  # Pillow's name: JPEG, PNG, WEBP, HEIF
    facts: PhotoFacts = field(default_factory=PhotoFacts)


class Imaging(Protocol):
    async def inspect(self, path: Path) -> ImageFacts:
        """Decode the whole image (a truncated file fails) and read its EXIF."""
        ...

    async def thumbnail(self, source: Path, target: Path) -> None: ...

"""Media commands and queries: declare an upload, complete it, list, detach.

Object-store I/O (verification) never happens inside a database transaction: the row is
locked only for the short decide-and-write step, and the decision re-checks the status it
finds then (a sweeper or a second completion may have moved it meanwhile).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts.envelope import Actor
from contracts.roles import may
from services.media.application import decisions
from services.media.application.ports import MediaRepository, ObjectStorage
from services.media.application.verify import Verifier
from services.media.application.work import WorkLimit
from services.media.domain import rules
from services.media.domain.errors import (
    MediaNotFound,
    MediaRefusal,
    NotPermitted,
    Unacceptable,
    WrongState,
)
from services.media.domain.model import Declared, Media
from services.media.domain.purposes import PurposePolicy

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def actor_uuid(actor: Actor) -> UUID:
    try:
        return UUID(str(actor.id))
    except ValueError:
        raise Unacceptable("the actor id must be a UUID", code="invalid_actor") from None


@dataclass(frozen=True)
class Upload:
    media: Media
    url: str
    expires_at: datetime
    created: bool


@dataclass(frozen=True)
class Links:
    download_url: str
    thumbnail_url: str | None


class MediaService:
    def __init__(
        self,
        repo: MediaRepository,
        storage: ObjectStorage,
        verifier: Verifier,
        upload_ttl: timedelta,
        download_ttl: timedelta,
        *,
        purposes: PurposePolicy,
        work: WorkLimit,
        clock: Clock = system_clock,
    ) -> None:
        self.repo = repo
        self.storage = storage
        self.verifier = verifier
        self.upload_ttl = upload_ttl
        self.download_ttl = download_ttl
        self.purposes = purposes
        self.work = work
        self.clock = clock

    async def request_upload(
        self, order_id: UUID, declared: Declared, client_key: str | None, actor: Actor
    ) -> Upload:
        declared = rules.check_declaration(declared, self.verifier.limits)
        # Before any row or URL exists: a refused purpose leaves nothing behind.
        self.purposes.check(str(actor.role), declared.kind, declared.purpose)
        now = self.clock()
        expires = now + self.upload_ttl
        fresh = Media(
            id=uuid.uuid4(),
            order_id=order_id,
            declared=declared,
            uploaded_by=actor_uuid(actor),
            client_key=client_key,
            status="pending",
            created_at=now,
            url_expires_at=expires,
        )
        media = await self.repo.insert_pending(fresh)
        created = media.id == fresh.id
        if not created:
            media = await self._renew(media, declared, expires, actor)
        url = await self.storage.presign_put(media.upload_key, self.upload_ttl, declared.size)
        return Upload(media, url, expires, created)

    async def _renew(
        self, media: Media, declared: Declared, expires: datetime, actor: Actor
    ) -> Media:
        """A retry with the same client key: same media id, a fresh URL (phone-first)."""
        if media.declared != declared:
            raise WrongState(
                "this client_key was used for a different file", code="client_key_reused"
            )

        media = await self.repo.update(media.id, lambda m: decisions.renew(m, expires), actor)
        if media.status not in decisions.RETRYABLE:
            raise WrongState(
                f"this upload is already {media.status}",
                code=f"already_{media.status}",
                media_id=str(media.id),
            )
        return media

    async def get(self, media_id: UUID, *, include_commercial: bool = True) -> Media:
        media = await self.repo.get(media_id)
        if media is None or media.status == "deleted":
            raise MediaNotFound(f"media {media_id} not found")
        if not include_commercial and is_commercial(media):
            raise MediaNotFound(f"media {media_id} not found")
        return media

    async def list_ready(self, order_id: UUID, *, include_commercial: bool) -> list[Media]:
        found = await self.repo.list_ready(order_id)
        return [m for m in found if include_commercial or not is_commercial(m)]

    async def links(self, media: Media) -> Links:
        d = media.declared
        download = await self.storage.presign_get(
            media.object_key, self.download_ttl, d.content_type, d.filename
        )
        thumb = None
        if media.thumbnail:
            thumb = await self.storage.presign_get(
                media.thumbnail_key, self.download_ttl, "image/jpeg", None
            )
        return Links(download, thumb)

    async def complete(self, media_id: UUID, actor: Actor) -> Media:
        media = await self.get(media_id)
        rules.check_completer(media, str(actor.role), actor_uuid(actor))
        # Asked again at completion: the completer may be someone else (a manager), and a
        # company may have withdrawn delivery's purposes since the URL was issued.
        self.purposes.check(str(actor.role), media.declared.kind, media.declared.purpose)
        if media.status == "ready":
            return media  # completing twice is a no-op
        if media.status != "pending":
            raise Unacceptable(
                f"this upload is {media.status}"
                + (f": {media.reject_reason}" if media.reject_reason else "")
                + "; ask for a new upload URL",
                code=f"upload_{media.status}",
            )
        # Busy (no slot in time) is raised before the try: the upload stays pending, and the
        # client may complete it again later.
        async with self.work.slot():
            try:
                facts = await self.verifier.verify(media)
            except MediaRefusal as refused:
                await self._reject(media, refused, actor)
                raise
        ready = await self.repo.update(media.id, lambda m: decisions.ready(m, facts), actor)
        if ready.status != "ready":
            # The sweeper expired it while we verified: keep nothing it does not account for.
            await self._best_effort_remove([media.object_key])
            raise Unacceptable(
                f"the upload became {ready.status} while it was being verified",
                code=f"upload_{ready.status}",
            )
        await self._best_effort_remove([media.upload_key])
        return ready

    async def _reject(self, media: Media, refused: MediaRefusal, actor: Actor) -> None:
        await self.repo.update(media.id, lambda m: decisions.reject(m, refused.message), actor)
        # A refused upload leaves nothing behind: neither the upload nor our copy of it.
        await self._best_effort_remove([media.upload_key, media.object_key])

    async def _best_effort_remove(self, keys: list[str]) -> None:
        """The answer does not wait on cleanup: if this fails the sweeper removes the upload
        key after its URL expires and purges the objects of unattached items."""
        try:
            await self.storage.remove(keys)
        except Exception:
            log.warning("could not remove %s now; the sweeper will", keys, exc_info=True)

    async def review(
        self, media_id: UUID, decision: str, reason: str | None, actor: Actor
    ) -> Media:
        """Confirm or reject a photo (issue 15): the office's control over photos the rules
        could not place on site. Only photos, only ready ones."""
        if not may(str(actor.role), "media.review"):
            raise NotPermitted(f"role {actor.role} may not review photos")
        media = await self.get(media_id)
        if media.declared.kind != "photo":
            raise Unacceptable("only photos are reviewed", code="not_a_photo")
        if media.status != "ready":
            raise WrongState(f"this upload is {media.status}, not attached", code="not_attached")
        by = actor_uuid(actor)
        return await self.repo.update(
            media.id, lambda m: decisions.review(m, decision, reason, by), actor
        )

    async def detach(self, media_id: UUID, actor: Actor) -> Media:
        """Detach: the row stays (history), the event tells the order; the sweeper removes
        the objects (see purge_unattached) so there is one removal path, retried on failure."""
        media = await self.repo.get(media_id)
        if media is None:
            raise MediaNotFound(f"media {media_id} not found")
        if media.status == "deleted":
            return media
        if media.status != "ready":
            raise WrongState(f"this upload is {media.status}, not attached", code="not_attached")
        by = actor_uuid(actor)
        rules.check_detach(media, str(actor.role), by, self.clock())

        return await self.repo.update(media.id, lambda m: decisions.detach(m, by), actor)


def is_commercial(media: Media) -> bool:
    return media.declared.kind == "document" and media.declared.purpose in rules.COMMERCIAL

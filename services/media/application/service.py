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
from services.media.application.ports import (
    HeldPart,
    MediaRepository,
    ObjectStorage,
    StorageUnavailable,
)
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
from services.media.domain.parts import MIN_PART_BYTES, PartPlan, plan_for
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
class PartUrl:
    number: int
    size: int
    url: str


@dataclass(frozen=True)
class Parts:
    """Where an upload in parts stands: what the store holds, URLs for what was asked."""

    media: Media
    plan: PartPlan
    held: list[HeldPart]
    urls: list[PartUrl]
    expires_at: datetime


class UploadIncomplete(WrongState):
    """Some parts are not in the store yet: the upload stays pending, the client sends them
    (asking `parts` which) and completes again. Not a refusal of the file."""

    code = "upload_incomplete"


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
        part_size: int = MIN_PART_BYTES,
        clock: Clock = system_clock,
    ) -> None:
        self.repo = repo
        self.storage = storage
        self.verifier = verifier
        self.upload_ttl = upload_ttl
        self.download_ttl = download_ttl
        self.purposes = purposes
        self.work = work
        self.part_size = part_size
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
            part_size=self.part_size if plan_for(declared.size, self.part_size) else None,
        )
        media = await self.repo.insert_pending(fresh)
        created = media.id == fresh.id
        if not created:
            dropped = media.upload_id if media.status != "pending" else None
            media = await self._renew(media, declared, expires, actor)
            if dropped:  # a fresh start after expiry or refusal: the old parts are not used
                await self._best_effort_abort(media.upload_key, dropped)
        if media.plan and media.upload_id is None:
            media = await self._open_multipart(media)
        # Also for an upload in parts: a client that knows only the single PUT still works
        # (the old web app, the benchmark); completion takes whichever arrived whole.
        url = await self.storage.presign_put(media.upload_key, self.upload_ttl, declared.size)
        return Upload(media, url, expires, created)

    async def _open_multipart(self, media: Media) -> Media:
        upload_id = await self.storage.start_multipart(
            media.upload_key, media.declared.content_type
        )
        stored = await self.repo.open_multipart(media.id, upload_id)
        if stored.upload_id != upload_id:  # a concurrent create with this client key won
            await self._best_effort_abort(media.upload_key, upload_id)
        return stored

    async def parts(self, media_id: UUID, numbers: list[int], actor: Actor) -> Parts:
        """What the store holds of an upload in parts, and URLs for the parts asked for, each
        signed for its exact length. Asking again renews expired URLs and the upload window."""
        media = await self.get(media_id)
        rules.check_completer(media, str(actor.role), actor_uuid(actor))
        self.purposes.check(str(actor.role), media.declared.kind, media.declared.purpose)
        plan = media.plan
        if media.status != "pending":
            raise WrongState(
                f"this upload is {media.status}; "
                + ("complete it" if media.status == "ready" else "declare the file again"),
                code=f"upload_{media.status}",
            )
        if plan is None or media.upload_id is None:
            raise WrongState(
                "this upload is a single PUT to its upload_url, not in parts",
                code="not_multipart",
            )
        invalid = plan.invalid(numbers)
        if invalid:
            raise Unacceptable(
                f"parts are numbered 1..{plan.count}",
                code="invalid_part_number",
                invalid=invalid,
                part_count=plan.count,
            )
        expires = self.clock() + self.upload_ttl
        media = await self.repo.update(media.id, lambda m: decisions.extend(m, expires), actor)
        upload_id = media.upload_id if media.status == "pending" else None
        held = await self.storage.list_parts(media.upload_key, upload_id) if upload_id else None
        if upload_id is None or held is None:  # swept meanwhile
            raise WrongState("this upload expired; declare the file again", code="upload_expired")
        urls = [
            PartUrl(
                n,
                plan.length(n),
                await self.storage.presign_part(
                    media.upload_key, upload_id, n, self.upload_ttl, plan.length(n)
                ),
            )
            for n in sorted(set(numbers))
        ]
        return Parts(media, plan, sorted(held, key=lambda p: p.number), urls, expires)

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
                if media.upload_id:
                    await self._join_parts(media, media.upload_id)
                facts = await self.verifier.verify(media)
            except (UploadIncomplete, StorageUnavailable):
                # Still pending: the client sends the missing parts, or comes back once the
                # store is there again, and completes again. The file was not refused.
                raise
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

    async def _join_parts(self, media: Media, upload_id: str) -> None:
        """Finish the multipart upload from the store's own list of parts (the client need
        not read ETags, which a browser cannot see without CORS exposing them)."""
        plan = media.plan
        assert plan is not None
        held = await self.storage.list_parts(media.upload_key, upload_id)
        if held is None:
            return  # joined by a concurrent completion (or swept): verify finds out which
        by_number = {p.number: p for p in held}
        missing = plan.missing({p.number: p.size for p in held})
        if not missing:
            chosen = [by_number[n] for n in range(1, plan.count + 1)]
            await self.storage.complete_multipart(media.upload_key, upload_id, chosen)
            return
        if await self.storage.stat(media.upload_key) is not None:
            # The whole file came by the single PUT instead: that is the upload.
            await self._best_effort_abort(media.upload_key, upload_id)
            return
        if held:
            raise UploadIncomplete(
                f"{len(missing)} of {plan.count} parts are not uploaded yet",
                missing=missing,
                part_count=plan.count,
            )
        # Nothing arrived at all: verification says so, as for a PUT that never happened.

    async def _reject(self, media: Media, refused: MediaRefusal, actor: Actor) -> None:
        await self.repo.update(media.id, lambda m: decisions.reject(m, refused.message), actor)
        # A refused upload leaves nothing behind: neither the upload nor our copy of it.
        if media.upload_id:
            await self._best_effort_abort(media.upload_key, media.upload_id)
        await self._best_effort_remove([media.upload_key, media.object_key])

    async def _best_effort_abort(self, key: str, upload_id: str) -> None:
        """If this fails, the sweeper aborts the upload it has on record after its window;
        one that is no longer on record (a lost race) stays until the store's own cleanup."""
        try:
            await self.storage.abort_multipart(key, upload_id)
        except Exception:
            log.warning("could not abort multipart upload %s of %s", upload_id, key, exc_info=True)

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

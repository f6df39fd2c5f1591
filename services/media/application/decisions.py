"""The state changes of one media item, decided on the state found under its row lock.

Pure functions (no I/O, no clock): each returns None when the item has already moved on
(completed by a concurrent request, expired by the sweeper), which makes every command
safe to retry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from contracts.events.media import MediaDeleted, MediaReviewed, MediaUploaded
from services.media.application.ports import Change
from services.media.domain.model import Media, PhotoFacts

RETRYABLE = ("pending", "expired", "rejected")  # a client key may ask again for a URL


def renew(media: Media, expires: datetime) -> Change | None:
    if media.status not in RETRYABLE:
        return None
    return Change(replace(media, status="pending", url_expires_at=expires, reject_reason=None))


def ready(media: Media, facts: PhotoFacts) -> Change | None:
    if media.status != "pending":
        return None
    d = media.declared
    event = MediaUploaded(
        media_id=media.id,
        order_id=media.order_id,
        kind=d.kind,
        purpose=d.purpose,
        filename=d.filename,
        content_type=d.content_type,
        size=d.size,
        uploaded_by=media.uploaded_by,
        taken_at=facts.taken_at,
        location=facts.location,
        visit_id=d.visit_id,
    )
    done = replace(media, status="ready", facts=facts)
    return Change(done, [event], thumbnail_job=d.kind == "photo")


def reject(media: Media, reason: str) -> Change | None:
    if media.status != "pending":
        return None
    return Change(replace(media, status="rejected", reject_reason=reason))


def detach(media: Media, by: UUID) -> Change | None:
    if media.status != "ready":
        return None
    d = media.declared
    event = MediaDeleted(
        media_id=media.id, order_id=media.order_id, kind=d.kind, purpose=d.purpose, deleted_by=by
    )
    return Change(replace(media, status="deleted", deleted_by=by), [event])


def review(media: Media, decision: str, reason: str | None, by: UUID) -> Change | None:
    """A manager's decision on a photo; the same decision again changes nothing."""
    if media.status != "ready" or media.review == decision:
        return None
    event = MediaReviewed(
        media_id=media.id,
        order_id=media.order_id,
        decision=decision,  # type: ignore[arg-type]  # the request model checked it
        reason=reason,
        reviewed_by=by,
    )
    return Change(replace(media, review=decision), [event])

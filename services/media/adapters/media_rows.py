"""A media row and the Media it stands for."""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.events.common import GeoPoint
from services.media.domain.model import Declared, Media, PhotoFacts

COLUMNS = (
    "id, order_id, kind, purpose, filename, content_type, size, uploaded_by, client_key, "
    "status, version, created_at, url_expires_at, taken_at, lat, lon, thumbnail, "
    "reject_reason, deleted_by, visit_id, review"
)


def to_media(row: asyncpg.Record) -> Media:
    location = None
    if row["lat"] is not None and row["lon"] is not None:
        location = GeoPoint(lat=row["lat"], lon=row["lon"])
    return Media(
        id=row["id"],
        order_id=row["order_id"],
        declared=Declared(
            row["kind"],
            row["purpose"],
            row["filename"],
            row["content_type"],
            row["size"],
            row["visit_id"],
        ),
        uploaded_by=row["uploaded_by"],
        client_key=row["client_key"],
        status=row["status"],
        created_at=row["created_at"],
        url_expires_at=row["url_expires_at"],
        version=row["version"],
        facts=PhotoFacts(row["taken_at"], location),
        thumbnail=row["thumbnail"],
        reject_reason=row["reject_reason"],
        deleted_by=row["deleted_by"],
        review=row["review"],
    )


def values(m: Media) -> list[Any]:
    d, loc = m.declared, m.facts.location
    return [
        m.id,
        m.order_id,
        d.kind,
        d.purpose,
        d.filename,
        d.content_type,
        d.size,
        m.uploaded_by,
        m.client_key,
        m.status,
        m.version,
        m.created_at,
        m.url_expires_at,
        m.facts.taken_at,
        loc.lat if loc else None,
        loc.lon if loc else None,
        m.thumbnail,
        m.reject_reason,
        m.deleted_by,
        d.visit_id,
        m.review,
    ]

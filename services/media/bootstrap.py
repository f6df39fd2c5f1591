"""Wiring of the media service: object storage, its table, outbox and relay, the thumbnail
worker and the sweeper. The one place that picks adapters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import FastAPI
from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from contracts.topics import MEDIA
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL, Outbox
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.media.adapters.imaging import PillowImaging
from services.media.adapters.object_store import ObjectStore
from services.media.adapters.postgres_repo import PostgresMediaRepository
from services.media.adapters.schema import MEDIA_DDL, MEDIA_MULTIPART_DDL, MEDIA_VISITS_DDL
from services.media.application.housekeeping import Housekeeping
from services.media.application.service import MediaService
from services.media.application.verify import Verifier
from services.media.application.work import WorkLimit
from services.media.domain.model import MB, Limits
from services.media.domain.parts import MIN_PART_BYTES
from services.media.domain.pixels import DEFAULT_BUDGET
from services.media.domain.purposes import PurposePolicy
from services.media.entrypoints import errors
from services.media.entrypoints.http import router

# Append-only: a new step goes at the end (plumbing.db.migrate).
MIGRATIONS = [
    OUTBOX_DDL,
    RELAY_DDL,
    MEDIA_DDL,
    MEDIA_VISITS_DDL,
    MEDIA_MULTIPART_DDL,
    OUTBOX_TRACE_DDL,
    OUTBOX_ORDER_DDL,
    RELAY_ORDER_DDL,
]


class Settings(ServiceSettings):
    service_name: str = "media"
    s3_endpoint: str = "http://127.0.0.1:9000"
    # The address clients (phones, browsers) reach the store at; URLs are signed for it.
    s3_public_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "oms-media"
    s3_region: str = "us-east-1"
    # Size limits, checked on the declared size before a URL is signed; the URL is signed for
    # exactly that size, so the store refuses a longer body. A phone photo is 2-8 MB (HEIC or
    # JPEG; 48 MP shots up to ~20 MB); a scanned contract PDF of many pages stays under 50 MB.
    photo_max_bytes: int = 25 * MB
    document_max_bytes: int = 50 * MB
    upload_url_ttl_s: int = 15 * 60
    # A file longer than this goes up in parts of this size, each resumable on its own
    # (a cut upload resends at most the parts in flight). S3 and MinIO need 5 MiB at least.
    upload_part_bytes: int = Field(default=MIN_PART_BYTES, ge=MIN_PART_BYTES)
    download_url_ttl_s: int = 10 * 60
    # The decoded-pixel budget, read from the image header before decoding (see pixels.py).
    max_image_pixels: int = DEFAULT_BUDGET
    # Completions and thumbnails at once (each may spool and decode a large image: CPU,
    # memory, temp disk); a completion waits this long for a slot, then answers 503.
    work_slots: int = 2
    work_wait_s: float = 10.0
    # What delivery crews may attach: none unless the company says so, e.g. '["other"]'
    # (JSON, or comma-separated). Other roles' purposes are fixed (domain/purposes.py).
    delivery_upload_purposes: Annotated[tuple[str, ...], NoDecode] = ()
    thumbnail_edge_px: int = 320
    thumbnail_poll_interval_s: float = 1.0
    sweep_interval_s: float = 30.0
    sweep_grace_s: float = 5 * 60
    # EXIF times without an offset are the camera's wall clock: the company's zone.
    local_timezone: str = "Europe/Moscow"

    @field_validator("delivery_upload_purposes", mode="before")
    @classmethod
    def _purposes_list(cls, raw: object) -> object:
        if isinstance(raw, str):
            text = raw.strip()
            parts = json.loads(text) if text.startswith("[") else text.split(",")
            return [str(p).strip() for p in parts if str(p).strip()]
        return raw

    @property
    def public_endpoint(self) -> str:
        return self.s3_public_endpoint or self.s3_endpoint


def build(settings: Settings) -> FastAPI:
    store = ObjectStore(
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key,
        settings.s3_bucket,
        settings.s3_region,
        public_endpoint=settings.public_endpoint,
    )
    imaging = PillowImaging(
        ZoneInfo(settings.local_timezone), settings.max_image_pixels, settings.thumbnail_edge_px
    )
    limits = Limits(settings.photo_max_bytes, settings.document_max_bytes)
    # A misspelt purpose fails the start, not every delivery upload later.
    purposes = PurposePolicy.with_delivery(settings.delivery_upload_purposes)

    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        await store.ensure_bucket()
        # Made here, inside the running loop; completions and thumbnails share it.
        work = WorkLimit(settings.work_slots, settings.work_wait_s)
        outbox = Outbox(pool, settings.schema_name)
        repo = PostgresMediaRepository(pool, outbox)
        app.state.store = store
        app.state.outbox = outbox
        app.state.media = MediaService(
            repo,
            store,
            Verifier(store, imaging, limits),
            upload_ttl=timedelta(seconds=settings.upload_url_ttl_s),
            download_ttl=timedelta(seconds=settings.download_url_ttl_s),
            purposes=purposes,
            work=work,
            part_size=settings.upload_part_bytes,
        )
        housekeeping = Housekeeping(
            repo,
            store,
            imaging,
            work=work,
            poll_interval_s=settings.thumbnail_poll_interval_s,
            sweep_interval_s=settings.sweep_interval_s,
            sweep_grace=timedelta(seconds=settings.sweep_grace_s),
        )
        app.state.housekeeping = housekeeping
        relay = Relay(outbox, pool, settings, [MEDIA])
        return [relay.run, housekeeping.run_thumbnails, housekeeping.run_sweeper]

    service = build_service(
        settings,
        ServiceSpec(
            migrations=MIGRATIONS,
            topics=[MEDIA],
            wire=wire,
            routers=[router],
            # Uploads wait (media_busy, 503 with Retry-After); reads of the lists go on.
            dependencies={"object_store": store.ping},
        ),
    )
    errors.install(service)  # the media service's refusals → HTTP statuses, in one table
    return service

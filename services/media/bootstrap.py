"""Wiring of the media service: object storage, its table, outbox and relay, the thumbnail
worker and the sweeper. The one place that picks adapters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import FastAPI

from contracts.topics import MEDIA
from plumbing.ordered_log import OUTBOX_DDL, Outbox
from plumbing.relay import RELAY_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.media.adapters.imaging import PillowImaging
from services.media.adapters.object_store import ObjectStore
from services.media.adapters.postgres_repo import PostgresMediaRepository
from services.media.adapters.schema import MEDIA_DDL
from services.media.application.housekeeping import Housekeeping
from services.media.application.service import MediaService
from services.media.application.verify import Verifier
from services.media.domain.model import MB, Limits
from services.media.entrypoints.http import router


class Settings(ServiceSettings):
    service_name: str = "media"
    s3_endpoint: str = "http://127.0.0.1:9000"
    # The address clients (phones, browsers) reach the store at; URLs are signed for it.
    s3_public_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "oms-media"
    s3_region: str = "us-east-1"
    photo_max_bytes: int = 25 * MB
    document_max_bytes: int = 50 * MB
    upload_url_ttl_s: int = 15 * 60
    download_url_ttl_s: int = 10 * 60
    max_image_pixels: int = 80_000_000
    thumbnail_edge_px: int = 320
    thumbnail_poll_interval_s: float = 1.0
    sweep_interval_s: float = 30.0
    sweep_grace_s: float = 5 * 60
    # EXIF times without an offset are the camera's wall clock: the company's zone.
    local_timezone: str = "Europe/Moscow"

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

    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        await store.ensure_bucket()
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
        )
        housekeeping = Housekeeping(
            repo,
            store,
            imaging,
            poll_interval_s=settings.thumbnail_poll_interval_s,
            sweep_interval_s=settings.sweep_interval_s,
            sweep_grace=timedelta(seconds=settings.sweep_grace_s),
        )
        app.state.housekeeping = housekeeping
        relay = Relay(outbox, pool, settings, [MEDIA])
        return [relay.run, housekeeping.run_thumbnails, housekeeping.run_sweeper]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[OUTBOX_DDL, RELAY_DDL, MEDIA_DDL],
            topics=[MEDIA],
            wire=wire,
            routers=[router],
            checks={"object_store": store.ping},
        ),
    )

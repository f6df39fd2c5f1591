"""Wiring of the media service: object storage, its outbox and relay."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.topics import MEDIA
from plumbing.ordered_log import OUTBOX_DDL, Outbox
from plumbing.relay import RELAY_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.media.adapters.object_store import ObjectStore


class Settings(ServiceSettings):
    service_name: str = "media"
    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "oms-media"
    s3_region: str = "us-east-1"


def build(settings: Settings) -> FastAPI:
    store = ObjectStore(
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key,
        settings.s3_bucket,
        settings.s3_region,
    )

    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        await store.ensure_bucket()
        outbox = Outbox(pool, settings.schema_name)
        app.state.store = store
        app.state.outbox = outbox
        return [Relay(outbox, pool, settings, [MEDIA]).run]

    return build_service(
        settings,
        ServiceSpec(
            migrations=[OUTBOX_DDL, RELAY_DDL],
            topics=[MEDIA],
            wire=wire,
            checks={"object_store": store.ping},
        ),
    )

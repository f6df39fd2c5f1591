"""HTTP routes of the media service (called by the gateway only, which has already checked
that the caller may see the order). The service still never signs a URL for a commercial
document unless the vouched-for role may see it: defence in depth for the one rule that
must hold on every path."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from plumbing.actor import CurrentActor
from plumbing.state import from_state
from services.media.application.service import MediaService
from services.media.domain.model import Declared
from services.media.domain.rules import sees_commercial
from services.media.entrypoints.schemas import (
    MediaOut,
    PurposesOut,
    ReviewIn,
    UploadOut,
    UploadRequest,
    media_out,
    upload_out,
)

router = APIRouter()


Service = Annotated[MediaService, Depends(from_state("media", MediaService))]


@router.get("/purposes")
async def purposes(actor: CurrentActor, service: Service) -> PurposesOut:
    """The purposes the caller's role may attach (the table in domain/purposes.py)."""
    role = actor.role or ""
    return PurposesOut(role=role, purposes=service.purposes.by_kind(role))


@router.post("/orders/{order_id}/media", status_code=201, response_model_exclude_none=True)
async def request_upload(
    order_id: UUID, body: UploadRequest, actor: CurrentActor, service: Service, response: Response
) -> UploadOut:
    declared = Declared(
        body.kind, body.purpose, body.filename, body.content_type, body.size, body.visit_id
    )
    upload = await service.request_upload(order_id, declared, body.client_key, actor)
    if not upload.created:
        response.status_code = 200  # a retry with the same client_key
    return upload_out(upload)


@router.post("/media/{media_id}/complete", response_model_exclude_none=True)
async def complete(media_id: UUID, actor: CurrentActor, service: Service) -> MediaOut:
    media = await service.complete(media_id, actor)
    return media_out(media, await service.links(media))


@router.get("/orders/{order_id}/media", response_model_exclude_none=True)
async def list_media(order_id: UUID, actor: CurrentActor, service: Service) -> list[MediaOut]:
    found = await service.list_ready(order_id, include_commercial=sees_commercial(actor.role or ""))
    return [media_out(m, await service.links(m)) for m in found]


@router.get("/media/{media_id}", response_model_exclude_none=True)
async def get_media(
    media_id: UUID, actor: CurrentActor, service: Service, urls: bool = True
) -> MediaOut:
    """`urls=false` gives the gateway the order id to check access before anything is signed."""
    media = await service.get(media_id, include_commercial=sees_commercial(actor.role or ""))
    links = await service.links(media) if urls and media.status == "ready" else None
    return media_out(media, links)


@router.post("/media/{media_id}/review", response_model_exclude_none=True)
async def review(media_id: UUID, body: ReviewIn, actor: CurrentActor, service: Service) -> MediaOut:
    media = await service.review(media_id, body.decision, body.reason, actor)
    return media_out(media, None)


@router.delete("/media/{media_id}", response_model_exclude_none=True)
async def detach(media_id: UUID, actor: CurrentActor, service: Service) -> MediaOut:
    return media_out(await service.detach(media_id, actor), None)

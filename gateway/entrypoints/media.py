"""Documents and photos of an order, as the caller's role may see them (API.md, Media).

Every route — create upload, complete, list, read (download and thumbnail URLs), detach —
first establishes that the caller may see the order (a media item's order is asked of the
media service without signing anything), so a field role learns nothing about orders not
assigned to them: 404, like an order that does not exist. Commercial documents are refused
here for roles that may not see them, and the media service independently never signs a URL
for them (it gets the role in the actor headers).

Which purposes a role may attach (a measurer measurements, an installer installation and
rework photos, delivery what the company allows) is the media service's table
(services/media/domain/purposes.py), applied there before any row or URL exists: no copy here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from gateway.domain.users import User
from gateway.domain.visibility import (
    COMMERCIAL_DOCUMENT_PURPOSES,
    sees_commercial,
    strip_commercial,
)
from gateway.entrypoints.bodies import json_object
from gateway.entrypoints.deps import SignedIn, UpstreamsDep, caller_of
from plumbing.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1")

MAX_BODY = 16 * 1024


async def _visible_media(upstreams: Upstreams, user: User, media_id: UUID) -> Caller:
    """404 unless the caller may see this item's order and, if commercial, the item."""
    caller = caller_of(user)
    meta = await upstreams.call(
        "media", "GET", f"/media/{media_id}", caller, params={"urls": "false"}
    )
    if meta.body.get("purpose") in COMMERCIAL_DOCUMENT_PURPOSES and not sees_commercial(user.role):
        raise NotFound(f"media {media_id} not found")
    try:
        await require_order_access(upstreams, caller, UUID(str(meta.body["order_id"])))
    except NotFound:
        # The same answer as for an unknown id: the order's 404 would name the order's id,
        # which the caller did not send and may not learn.
        raise NotFound(f"media {media_id} not found") from None
    return caller


@router.get("/media/purposes")
async def purposes(user: SignedIn, upstreams: UpstreamsDep) -> Any:
    """What the caller may attach, per kind, from the media service's table (a client offers
    only these). Declared before `/media/{media_id}`, which would take "purposes" for an id."""
    reply = await upstreams.call("media", "GET", "/purposes", caller_of(user))
    return reply.body


@router.post("/orders/{order_id}/media", status_code=201)
async def request_upload(
    order_id: UUID, request: Request, user: SignedIn, upstreams: UpstreamsDep, response: Response
) -> Any:
    caller = caller_of(user)
    await require_order_access(upstreams, caller, order_id)
    body = await json_object(request, MAX_BODY)  # the media service validates the shape
    purpose = body.get("purpose")
    if purpose in COMMERCIAL_DOCUMENT_PURPOSES and not sees_commercial(user.role):
        # The visibility rule, not the purpose table: a role that may not see commercial
        # documents never gets near one, whatever the media service's table says.
        raise Forbidden(
            f"role {user.role} may not attach commercial documents (purpose {purpose!r})",
            code="purpose_not_allowed",
        )
    reply = await upstreams.call("media", "POST", f"/orders/{order_id}/media", caller, json=body)
    response.status_code = reply.status
    return reply.body


@router.post("/media/{media_id}/complete")
async def complete(media_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Any:
    caller = await _visible_media(upstreams, user, media_id)
    reply = await upstreams.call("media", "POST", f"/media/{media_id}/complete", caller)
    return strip_commercial(reply.body, user.role)


@router.get("/orders/{order_id}/media")
async def list_media(order_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Any:
    caller = caller_of(user)
    await require_order_access(upstreams, caller, order_id)
    reply = await upstreams.call("media", "GET", f"/orders/{order_id}/media", caller)
    return strip_commercial(reply.body, user.role)


@router.get("/media/{media_id}")
async def get_media(media_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Any:
    caller = await _visible_media(upstreams, user, media_id)
    reply = await upstreams.call("media", "GET", f"/media/{media_id}", caller)
    return strip_commercial(reply.body, user.role)


@router.delete("/media/{media_id}")
async def detach(media_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Any:
    # Who may detach (manager, director, the uploader within an hour) is decided by the
    # media service, which knows the uploader and the time.
    caller = await _visible_media(upstreams, user, media_id)
    reply = await upstreams.call("media", "DELETE", f"/media/{media_id}", caller)
    return strip_commercial(reply.body, user.role)

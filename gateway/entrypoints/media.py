"""Documents and photos of an order, as the caller's role may see them (API.md, Media).

Every route — create upload, complete, list, read (download and thumbnail URLs), detach —
first establishes that the caller may see the order (a media item's order is asked of the
media service without signing anything), so a field role learns nothing about orders not
assigned to them: 404, like an order that does not exist. Commercial documents are refused
here for roles that may not see them, and the media service independently never signs a URL
for them (it gets the role in the actor headers); a restricted audience's models leave them
out of every list too (contracts/api/media.py).

Which purposes a role may attach (a measurer measurements, an installer installation and
rework photos, delivery what the company allows) is the media service's table
(services/media/domain/purposes.py), applied there before any row or URL exists: no copy here.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from contracts.api.errors import errors
from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES
from contracts.api.media import (
    ITEM,
    ITEMS,
    PARTS,
    PURPOSES,
    UPLOAD,
    MediaItem,
    Parts,
    PartsRequest,
    PhotoUpload,
    Purposes,
    ReviewRequest,
    Upload,
    UploadRequest,
)
from contracts.roles import may
from gateway.adapters.upstream import Caller, Upstreams
from gateway.application.access import require_order_access
from gateway.domain.users import User
from gateway.domain.visibility import sees_commercial
from gateway.entrypoints.deps import Needs, OrderCaller, SignedIn, UpstreamsDep, caller_of
from gateway.entrypoints.typed import SmallBodyRoute, relayed, sent
from plumbing.errors import Forbidden, Invalid, NotFound

router = APIRouter(prefix="/api/v1", route_class=SmallBodyRoute)

ON_MEDIA = errors(401, 403, 404, 422, 503)
Reviewer = Annotated[User, Depends(Needs("media.review"))]


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


@router.get("/media/purposes", response_model=Purposes, responses=errors(401, 503))
async def purposes(user: SignedIn, upstreams: UpstreamsDep) -> Response:
    """What the caller may attach, per kind, from the media service's table (a client offers
    only these). Declared before `/media/{media_id}`, which would take "purposes" for an id."""
    reply = await upstreams.call("media", "GET", "/purposes", caller_of(user))
    return relayed(reply, PURPOSES, user)


@router.post(
    "/orders/{order_id}/media",
    status_code=201,
    response_model=Upload,
    responses={
        200: {"model": Upload, "description": "a retry with the same client_key"},
        **errors(401, 403, 404, 409, 413, 422, 503),
    },
)
async def request_upload(
    order_id: UUID,
    body: UploadRequest,
    user: SignedIn,
    caller: OrderCaller,
    upstreams: UpstreamsDep,
) -> Response:
    if body.purpose in COMMERCIAL_DOCUMENT_PURPOSES and not sees_commercial(user.role):
        # The visibility rule, not the purpose table: a role that may not see commercial
        # documents never gets near one, whatever the media service's table says.
        raise Forbidden(
            f"role {user.role} may not attach commercial documents (purpose {body.purpose!r})",
            code="purpose_not_allowed",
        )
    if isinstance(body, PhotoUpload) and body.visit_id is not None:
        await _check_visit(upstreams, user, caller, order_id, body.visit_id)
    path = f"/orders/{order_id}/media"
    reply = await upstreams.call("media", "POST", path, caller, json=sent(body))
    return relayed(reply, UPLOAD, user, reply.status)


async def _check_visit(
    upstreams: Upstreams, user: User, caller: Caller, order_id: UUID, visit_id: str
) -> None:
    """A photo may name only a visit of its order that the uploader is allowed on: their own
    (a field role), or any of the order's (the office). Asked of scheduling, which holds the
    visits; the answer is the order's visits as the caller may see them."""
    try:
        wanted = str(UUID(visit_id))
    except ValueError:
        raise Invalid("visit_id: not a UUID", code="invalid_input") from None
    reply = await upstreams.call("scheduling", "GET", f"/orders/{order_id}/visits", caller)
    visits = reply.body if isinstance(reply.body, list) else []
    visit = next((v for v in visits if v.get("id") == wanted), None)
    if visit is None:
        raise Invalid(f"visit_id: no visit {visit_id} on this order", code="unknown_visit")
    if not may(user.role, "visits.book") and visit.get("assignee_id") != str(user.id):
        raise Invalid(
            f"visit_id: visit {visit_id} is assigned to someone else", code="not_your_visit"
        )


@router.post(
    "/media/{media_id}/review",
    response_model=MediaItem,
    responses=errors(401, 403, 404, 409, 413, 422, 503),
)
async def review(
    media_id: UUID, body: ReviewRequest, user: Reviewer, upstreams: UpstreamsDep
) -> Response:
    """Confirm or reject a photo marked «не подтверждено на объекте» (card: `site_check`
    `not_confirmed_on_site`): a confirmed photo counts for its gate, a rejected one never."""
    caller = await _visible_media(upstreams, user, media_id)
    path = f"/media/{media_id}/review"
    reply = await upstreams.call("media", "POST", path, caller, json=sent(body))
    return relayed(reply, ITEM, user)


@router.post(
    "/media/{media_id}/parts",
    response_model=Parts,
    responses=errors(401, 403, 404, 409, 413, 422, 503),
)
async def parts(
    media_id: UUID, body: PartsRequest, user: SignedIn, upstreams: UpstreamsDep
) -> Response:
    """An upload in parts (a file longer than `part_size`): which parts the store already
    holds, and a URL for each part asked for, signed for that part's exact length. Asked
    again after a cut connection or a restart, and to renew expired URLs."""
    caller = await _visible_media(upstreams, user, media_id)
    path = f"/media/{media_id}/parts"
    reply = await upstreams.call("media", "POST", path, caller, json=sent(body))
    return relayed(reply, PARTS, user)


@router.post(
    "/media/{media_id}/complete",
    response_model=MediaItem,
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def complete(media_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Response:
    caller = await _visible_media(upstreams, user, media_id)
    reply = await upstreams.call("media", "POST", f"/media/{media_id}/complete", caller)
    return relayed(reply, ITEM, user)


@router.get(
    "/orders/{order_id}/media",
    response_model=list[MediaItem],
    responses=errors(401, 404, 422, 503),
)
async def list_media(
    order_id: UUID, user: SignedIn, caller: OrderCaller, upstreams: UpstreamsDep
) -> Response:
    reply = await upstreams.call("media", "GET", f"/orders/{order_id}/media", caller)
    return relayed(reply, ITEMS, user)


@router.get("/media/{media_id}", response_model=MediaItem, responses=ON_MEDIA)
async def get_media(media_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Response:
    caller = await _visible_media(upstreams, user, media_id)
    reply = await upstreams.call("media", "GET", f"/media/{media_id}", caller)
    return relayed(reply, ITEM, user)


@router.delete("/media/{media_id}", response_model=MediaItem, responses=ON_MEDIA)
async def detach(media_id: UUID, user: SignedIn, upstreams: UpstreamsDep) -> Response:
    # Who may detach (manager, director, the uploader within an hour) is decided by the
    # media service, which knows the uploader and the time.
    caller = await _visible_media(upstreams, user, media_id)
    reply = await upstreams.call("media", "DELETE", f"/media/{media_id}", caller)
    return relayed(reply, ITEM, user)

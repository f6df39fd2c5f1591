"""Per-order reads and commands through the gateway: every one checks access first (one
place: require_order_access) and strips commercial data on the way out (one place:
strip_commercial)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from gateway.application.access import require_order_access
from gateway.application.mentions import MentionCheck, NotNotified, check_mentions
from gateway.domain.users import User
from gateway.domain.visibility import strip_commercial
from gateway.entrypoints.bodies import json_body, json_object
from gateway.entrypoints.deps import Needs, SignedIn, UpstreamsDep, Users, caller_of
from plumbing.errors import Invalid

router = APIRouter(prefix="/api/v1")

Mover = Annotated[User, Depends(Needs("stage.move"))]
DealWriter = Annotated[User, Depends(Needs("deal.write"))]
CustomerEditor = Annotated[User, Depends(Needs("customer.edit"))]
ManagerAssigner = Annotated[User, Depends(Needs("orders.assign_manager"))]
Producer = Annotated[User, Depends(Needs("production.finish"))]
Chatter = Annotated[User, Depends(Needs("chat.post"))]
PipelineEditor = Annotated[User, Depends(Needs("pipeline.edit"))]
Lang = Annotated[str, Query(pattern="^(ru|en)$")]


async def _forward(
    request: Request,
    user: User,
    upstreams: UpstreamsDep,
    order_id: UUID,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
) -> Any:
    caller = caller_of(user)
    await require_order_access(upstreams, caller, order_id)
    body = await json_body(request) if method in ("POST", "PUT", "PATCH") else None
    reply = await upstreams.call("orders", method, path, caller, json=body, params=params)
    return strip_commercial(reply.body, user.role)


@router.get("/orders/{order_id}/history")
async def history(
    order_id: UUID, request: Request, user: SignedIn, up: UpstreamsDep, lang: Lang = "ru"
) -> Any:
    path = f"/orders/{order_id}/history"
    return await _forward(request, user, up, order_id, "GET", path, params={"lang": lang})


@router.post("/orders/{order_id}/transitions")
async def transition(order_id: UUID, request: Request, user: Mover, up: UpstreamsDep) -> Any:
    return await _forward(request, user, up, order_id, "POST", f"/orders/{order_id}/transitions")


@router.put("/orders/{order_id}/deal")
async def deal(order_id: UUID, request: Request, user: DealWriter, up: UpstreamsDep) -> Any:
    return await _forward(request, user, up, order_id, "PUT", f"/orders/{order_id}/deal")


@router.post("/orders/{order_id}/production/finished")
async def production_finished(
    order_id: UUID, request: Request, user: Producer, up: UpstreamsDep
) -> Any:
    path = f"/orders/{order_id}/production/finished"
    return await _forward(request, user, up, order_id, "POST", path)


@router.get("/orders/{order_id}/comments")
async def comments(order_id: UUID, request: Request, user: SignedIn, up: UpstreamsDep) -> Any:
    return await _forward(request, user, up, order_id, "GET", f"/orders/{order_id}/comments")


@router.post("/orders/{order_id}/comments", status_code=201)
async def comment(
    order_id: UUID, request: Request, user: Chatter, up: UpstreamsDep, users: Users
) -> Any:
    """Post to the order's chat. Mentions notify only people who may see the order; the
    reply's `not_notified` lists the others with why (check_mentions)."""
    caller = caller_of(user)
    await require_order_access(up, caller, order_id)
    body = await json_object(request)
    if "notify" in body:  # the gateway's own field to the service, never the client's
        raise Invalid("notify: not a field of a comment", code="invalid_input")
    text = body.get("text")
    check = MentionCheck()
    if isinstance(text, str):  # anything else is refused by the service, with its message
        check = await check_mentions(users, up, order_id, text)
    path = f"/orders/{order_id}/comments"
    reply = await up.call("orders", "POST", path, caller, json={**body, "notify": check.notify})
    posted: dict[str, Any] = reply.body
    recorded = {str(m.get("username", "")).lower() for m in posted.get("mentions", [])}
    # Cleared here but unknown to the service's directory (a user created a moment ago):
    # not notified either, and the author should know.
    missed = [NotNotified(n, "unknown_user") for n in check.notify if n not in recorded]
    posted["not_notified"] = [asdict(n) for n in [*check.not_notified, *missed]]
    return strip_commercial(posted, user.role)


@router.patch("/orders/{order_id}/customer")
async def customer(order_id: UUID, request: Request, user: CustomerEditor, up: UpstreamsDep) -> Any:
    return await _forward(request, user, up, order_id, "PATCH", f"/orders/{order_id}/customer")


@router.put("/orders/{order_id}/manager")
async def manager(order_id: UUID, request: Request, user: ManagerAssigner, up: UpstreamsDep) -> Any:
    return await _forward(request, user, up, order_id, "PUT", f"/orders/{order_id}/manager")


@router.get("/pipeline")
async def get_pipeline(user: SignedIn, up: UpstreamsDep) -> Any:
    # The gate lists name conditions (deal terms, contract documents) whose very existence is
    # a commercial hint: roles without commercial sight get the lists they could act on.
    reply = await up.call("orders", "GET", "/pipeline", caller_of(user))
    return strip_commercial(reply.body, user.role)


@router.put("/pipeline")
async def put_pipeline(request: Request, user: PipelineEditor, up: UpstreamsDep) -> Any:
    body = await json_body(request)
    return (await up.call("orders", "PUT", "/pipeline", caller_of(user), json=body)).body

"""Per-order reads and commands through the gateway: every one checks access first, before
its body is validated (one place: OrderCaller), and answers with what the caller's
audience's model lists (one place: contracts/api)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from contracts.api.audience import Views
from contracts.api.cards import CARD, ORDER_LINKS, PAST_CARD, OrderCard, PastOrderCard
from contracts.api.common import When
from contracts.api.errors import errors
from contracts.api.history import (
    COMMENTS,
    HISTORY,
    POSTED,
    Comment,
    CommentPosted,
    HistoryEntry,
)
from contracts.api.orders import (
    CommentRequest,
    CustomerPatch,
    DealTermsRequest,
    ManagerRequest,
    PromisedDateRequest,
    SiteRequest,
    SmsConsentRequest,
    TransitionRequest,
)
from contracts.api.pipeline import (
    OPEN_ORDERS,
    PIPELINE,
    OpenOrders,
    PipelineOut,
    PipelineRequest,
)
from gateway.adapters.upstream import Caller
from gateway.application.mentions import MentionCheck, NotNotified, check_mentions
from gateway.application.names import name_consent_recorder
from gateway.domain.users import User
from gateway.entrypoints.deps import (
    Needs,
    OrderCaller,
    SignedIn,
    UpstreamsDep,
    Users,
    caller_of,
)
from gateway.entrypoints.typed import GuardedRoute, relayed, sent, shown

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

Mover = Annotated[User, Depends(Needs("stage.move"))]
DealWriter = Annotated[User, Depends(Needs("deal.write"))]
CustomerEditor = Annotated[User, Depends(Needs("customer.edit"))]
ManagerAssigner = Annotated[User, Depends(Needs("orders.assign_manager"))]
Promiser = Annotated[User, Depends(Needs("orders.promise"))]
Producer = Annotated[User, Depends(Needs("production.finish"))]
SitePinner = Annotated[User, Depends(Needs("site.pin"))]
Chatter = Annotated[User, Depends(Needs("chat.post"))]
PipelineEditor = Annotated[User, Depends(Needs("pipeline.edit"))]
Lang = Annotated[str, Query(pattern="^(ru|en)$")]
# A command on an order: it may be refused for the role (403), the order unknown or hidden
# (404), in conflict (409: version, move, gate), or its body invalid (422).
COMMAND = errors(401, 403, 404, 409, 413, 422, 503)


async def _forward(
    user: User,
    caller: Caller,
    upstreams: UpstreamsDep,
    order_id: UUID,
    method: str,
    views: Views,
    *,
    path: str = "",
    body: Any = None,
    params: dict[str, Any] | None = None,
) -> Response:
    """`caller` comes from OrderCaller: access is already checked, before the body."""
    target = f"/orders/{order_id}{path}"
    reply = await upstreams.call("orders", method, target, caller, json=body, params=params)
    return relayed(reply, views, user)


@router.get(
    "/orders/{order_id}/history",
    response_model=list[HistoryEntry],
    operation_id="order_history",
    responses=errors(401, 404, 422, 503),
)
async def history(
    order_id: UUID, user: SignedIn, order: OrderCaller, up: UpstreamsDep, lang: Lang = "ru"
) -> Response:
    return await _forward(
        user, order, up, order_id, "GET", HISTORY, path="/history", params={"lang": lang}
    )


@router.get(
    "/orders/{order_id}/as-of",
    response_model=PastOrderCard,
    operation_id="order_as_of",
    responses=errors(401, 404, 422, 503),
)
async def as_of(
    order_id: UUID,
    at: Annotated[When, Query(description="the moment, RFC 3339 with its offset")],
    user: SignedIn,
    order: OrderCaller,
    up: UpstreamsDep,
    lang: Lang = "ru",
) -> Response:
    """The order as it was at `at`, as the card (GET /orders/{id}) would have shown it then to
    the caller's audience. 422 for a moment in the future or before the order was created
    (that answer's `created_at` says when it was)."""
    params = {"at": at.isoformat(), "lang": lang}
    return await _forward(user, order, up, order_id, "GET", PAST_CARD, path="/as-of", params=params)


@router.post(
    "/orders/{order_id}/transitions",
    response_model=OrderCard,
    operation_id="move_order",
    responses={200: {"links": ORDER_LINKS}, **COMMAND},
)
async def transition(
    order_id: UUID, body: TransitionRequest, user: Mover, order: OrderCaller, up: UpstreamsDep
) -> Response:
    path = "/transitions"
    return await _forward(user, order, up, order_id, "POST", CARD, path=path, body=sent(body))


@router.put("/orders/{order_id}/deal", response_model=OrderCard, responses=COMMAND)
async def deal(
    order_id: UUID, body: DealTermsRequest, user: DealWriter, order: OrderCaller, up: UpstreamsDep
) -> Response:
    return await _forward(user, order, up, order_id, "PUT", CARD, path="/deal", body=sent(body))


@router.put("/orders/{order_id}/site", response_model=OrderCard, responses=COMMAND)
async def pin_site(
    order_id: UUID, body: SiteRequest, user: SitePinner, order: OrderCaller, up: UpstreamsDep
) -> Response:
    """Set (re-pin) the site's position; the first check-in on the order pins it by itself.
    Photos are judged against the position the order holds when its gate is checked."""
    return await _forward(user, order, up, order_id, "PUT", CARD, path="/site", body=sent(body))


@router.post("/orders/{order_id}/production/finished", response_model=OrderCard, responses=COMMAND)
async def production_finished(
    order_id: UUID, user: Producer, order: OrderCaller, up: UpstreamsDep
) -> Response:
    return await _forward(user, order, up, order_id, "POST", CARD, path="/production/finished")


@router.get(
    "/orders/{order_id}/comments",
    response_model=list[Comment],
    responses=errors(401, 404, 422, 503),
)
async def comments(
    order_id: UUID, user: SignedIn, order: OrderCaller, up: UpstreamsDep
) -> Response:
    return await _forward(user, order, up, order_id, "GET", COMMENTS, path="/comments")


@router.post(
    "/orders/{order_id}/comments",
    status_code=201,
    response_model=CommentPosted,
    responses=COMMAND,
)
async def comment(
    order_id: UUID,
    body: CommentRequest,
    user: Chatter,
    caller: OrderCaller,
    up: UpstreamsDep,
    users: Users,
) -> Response:
    """Post to the order's chat. Mentions notify only people who may see the order; the
    reply's `not_notified` lists the others with why (check_mentions). The service's
    `notify` is the gateway's own field, never the client's (CommentRequest has none)."""
    check: MentionCheck = await check_mentions(users, up, order_id, body.text)
    path = f"/orders/{order_id}/comments"
    reply = await up.call(
        "orders", "POST", path, caller, json={**sent(body), "notify": check.notify}
    )
    posted: dict[str, Any] = reply.body
    recorded = {str(m.get("username", "")).lower() for m in posted.get("mentions", [])}
    # Cleared here but unknown to the service's directory (a user created a moment ago):
    # not notified either, and the author should know.
    missed = [NotNotified(n, "unknown_user") for n in check.notify if n not in recorded]
    posted["not_notified"] = [asdict(n) for n in [*check.not_notified, *missed]]
    return shown(posted, POSTED, user, reply.status)


@router.patch("/orders/{order_id}/customer", response_model=OrderCard, responses=COMMAND)
async def customer(
    order_id: UUID,
    body: CustomerPatch,
    user: CustomerEditor,
    order: OrderCaller,
    up: UpstreamsDep,
) -> Response:
    path = "/customer"
    return await _forward(user, order, up, order_id, "PATCH", CARD, path=path, body=sent(body))


@router.put("/orders/{order_id}/manager", response_model=OrderCard, responses=COMMAND)
async def manager(
    order_id: UUID,
    body: ManagerRequest,
    user: ManagerAssigner,
    order: OrderCaller,
    up: UpstreamsDep,
) -> Response:
    path = "/manager"
    return await _forward(user, order, up, order_id, "PUT", CARD, path=path, body=sent(body))


@router.put("/orders/{order_id}/promised-date", response_model=OrderCard, responses=COMMAND)
async def promised_date(
    order_id: UUID,
    body: PromisedDateRequest,
    user: Promiser,
    order: OrderCaller,
    up: UpstreamsDep,
) -> Response:
    """The day promised to the customer: set, changed, or cleared with null."""
    path = "/promised-date"
    return await _forward(user, order, up, order_id, "PUT", CARD, path=path, body=sent(body))


@router.put("/orders/{order_id}/sms-consent", response_model=OrderCard, responses=COMMAND)
async def sms_consent(
    order_id: UUID,
    body: SmsConsentRequest,
    user: CustomerEditor,
    order: OrderCaller,
    up: UpstreamsDep,
    users: Users,
) -> Response:
    """The customer's consent to a confirmation SMS the day before each visit (true), or
    its refusal or withdrawal (false); recorded with who and when, shown on the card."""
    target = f"/orders/{order_id}/sms-consent"
    reply = await up.call("orders", "PUT", target, order, json=sent(body))
    return shown(await name_consent_recorder(reply.body, users), CARD, user)


@router.get("/pipeline", response_model=PipelineOut, responses=errors(401, 503))
async def get_pipeline(user: SignedIn, up: UpstreamsDep) -> Response:
    # The gate lists name conditions (deal terms, contract documents) whose very existence is
    # a commercial hint: a restricted audience gets the conditions it could act on.
    reply = await up.call("orders", "GET", "/pipeline", caller_of(user))
    return relayed(reply, PIPELINE, user)


@router.get(
    "/pipeline/open-orders",
    response_model=OpenOrders,
    operation_id="pipeline_open_orders",
    responses=errors(401, 403, 503),
)
async def pipeline_open_orders(user: PipelineEditor, up: UpstreamsDep) -> Response:
    """How many open orders follow each version: the preview of a new version says how many
    stay on the old one. Counts only, so an admin (who sees no order) may ask."""
    reply = await up.call("projections", "GET", "/pipeline/open-orders", caller_of(user))
    return relayed(reply, OPEN_ORDERS, user)


@router.put("/pipeline", response_model=PipelineOut, responses=errors(401, 403, 413, 422, 503))
async def put_pipeline(body: PipelineRequest, user: PipelineEditor, up: UpstreamsDep) -> Response:
    reply = await up.call("orders", "PUT", "/pipeline", caller_of(user), json=sent(body))
    return relayed(reply, PIPELINE, user)

"""HTTP routes of the orders service: create and read (called by the gateway only)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response

from contracts.api.common import When
from contracts.api.orders import AddressIn, CreateOrderRequest
from contracts.events import orders as ev
from contracts.events import registry
from contracts.events.common import Address, Customer
from plumbing.actor import CurrentActor
from plumbing.errors import Invalid
from services.orders.application.service import stream_of
from services.orders.domain.as_of import as_of
from services.orders.domain.errors import OrderNotFound
from services.orders.domain.phone import InvalidPhone, normalize_phone
from services.orders.entrypoints.deps import CoreDep, OrdersDep
from services.orders.entrypoints.views import card, history

router = APIRouter()
Lang = Annotated[str, Query(pattern="^(ru|en)$")]


def phone_of(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        raise Invalid(f"customer.phone: {exc}", code="invalid_phone") from None


def address_of(raw: str | AddressIn) -> Address:
    if isinstance(raw, str):
        if not raw.strip():
            raise Invalid("customer.address: must not be empty")
        return Address(text=raw.strip())
    return Address(**raw.model_dump())


def to_customer(body: CreateOrderRequest) -> Customer:
    name = body.customer.name.strip()
    if not name:
        raise Invalid("customer.name: must not be empty")
    return Customer(
        name=name, phone=phone_of(body.customer.phone), address=address_of(body.customer.address)
    )


@router.post("/orders", status_code=201)
async def create_order(
    body: CreateOrderRequest,
    actor: CurrentActor,
    orders: OrdersDep,
    core: CoreDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    result = await orders.create(
        title=body.title,
        customer=to_customer(body),
        description=body.description,
        actor=actor,
        promised_date=body.promised_date,
        idempotency_key=idempotency_key,
        request_body=body.model_dump(mode="json"),
    )
    if not result.created:
        response.status_code = 200
    return card(result.order, await core.pipelines.get(result.order.pipeline_version))


@router.get("/orders/{order_id}")
async def get_order(order_id: UUID, core: CoreDep, lang: Lang = "ru") -> dict[str, Any]:
    order = await core.load(order_id)
    return card(order, await core.pipelines.get(order.pipeline_version), lang)


@router.get("/orders/{order_id}/as-of")
async def get_order_as_of(
    order_id: UUID, at: Annotated[When, Query()], core: CoreDep, lang: Lang = "ru"
) -> dict[str, Any]:
    """The card as it was at `at`: the stream folded up to that moment (domain/as_of.py)."""
    stored = await core.store.read_stream(stream_of(order_id))
    if not stored:  # 404 for an unknown order, before the moment is judged
        raise OrderNotFound(f"order {order_id} not found")
    events = ((registry.decode(e.envelope), e.envelope.occurred_at) for e in stored)
    order = as_of(events, at, core.clock())
    past = card(order, await core.pipelines.get(order.pipeline_version), lang)
    return {**past, "as_of": at.isoformat()}


@router.get("/orders/{order_id}/history")
async def get_history(order_id: UUID, core: CoreDep, lang: Lang = "ru") -> list[dict[str, Any]]:
    order = await core.load(order_id)  # 404 for an unknown order
    pipeline = await core.pipelines.get(order.pipeline_version)  # titles of its own version
    events = await core.store.read_stream(stream_of(order_id))
    return history(events, pipeline, lang)


@router.get("/orders/{order_id}/comments")
async def get_comments(order_id: UUID, core: CoreDep) -> list[dict[str, Any]]:
    await core.load(order_id)
    out = []
    for stored in await core.store.read_stream(stream_of(order_id)):
        if stored.envelope.type != "orders.CommentPosted":
            continue
        posted = registry.decode(stored.envelope)
        assert isinstance(posted, ev.CommentPosted)
        actor = stored.envelope.actor
        out.append(
            {
                "id": str(posted.comment_id),
                "text": posted.text,
                "author": {"id": actor.id, "username": actor.username, "role": actor.role},
                "mentions": [m.model_dump() for m in posted.mentions],
                "at": stored.envelope.occurred_at,
            }
        )
    return out

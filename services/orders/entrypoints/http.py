"""HTTP routes of the orders service (called by the gateway only)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response

from contracts.api.orders import CreateOrderRequest, CustomerOut, OrderOut
from contracts.events.common import Address, Customer
from plumbing.actor import CurrentActor
from plumbing.errors import Invalid
from services.orders.application.service import OrderService
from services.orders.domain.model import Order
from services.orders.domain.phone import InvalidPhone, normalize_phone

router = APIRouter()


def get_service(request: Request) -> OrderService:
    service: OrderService = request.app.state.orders
    return service


Service = Annotated[OrderService, Depends(get_service)]


def to_out(order: Order) -> OrderOut:
    assert order.id is not None
    assert order.customer is not None
    return OrderOut(
        id=order.id,
        number=order.number,
        title=order.title,
        stage=order.stage,
        version=order.version,
        customer=CustomerOut(
            name=order.customer.name,
            phone=order.customer.phone,
            address=order.customer.address,
            address_text=order.customer.address.one_line(),
        ),
        description=order.description,
        manager_id=order.manager_id,
        stage_entered_at=order.stage_entered_at,
    )


def to_customer(body: CreateOrderRequest) -> Customer:
    try:
        phone = normalize_phone(body.customer.phone)
    except InvalidPhone as exc:
        raise Invalid(f"customer.phone: {exc}", code="invalid_phone") from None
    raw = body.customer.address
    if isinstance(raw, str):
        if not raw.strip():
            raise Invalid("customer.address: must not be empty")
        address = Address(text=raw.strip())
    else:
        address = Address(**raw.model_dump())
    name = body.customer.name.strip()
    if not name:
        raise Invalid("customer.name: must not be empty")
    return Customer(name=name, phone=phone, address=address)


@router.post("/orders", status_code=201)
async def create_order(
    body: CreateOrderRequest,
    actor: CurrentActor,
    service: Service,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> OrderOut:
    result = await service.create(
        title=body.title,
        customer=to_customer(body),
        description=body.description,
        actor=actor,
        idempotency_key=idempotency_key,
        request_body=body.model_dump(mode="json"),
    )
    if not result.created:
        response.status_code = 200
    return to_out(result.order)


@router.get("/orders/{order_id}")
async def get_order(order_id: UUID, service: Service) -> OrderOut:
    return to_out(await service.load(order_id))

"""HTTP routes that change an order: moves, deal terms, production, chat, customer, manager,
the promised date."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

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
from contracts.roles import may
from plumbing.actor import CurrentActor
from plumbing.errors import Forbidden
from services.orders.application.service import Outcome
from services.orders.entrypoints.deps import CoreDep, OrdersDep
from services.orders.entrypoints.http import address_of, phone_of
from services.orders.entrypoints.views import card

router = APIRouter()


class CommentCommand(CommentRequest):
    """The public comment body plus `notify`, which only the gateway sets: the mentioned
    usernames it found allowed to see this order (it owns users and access). Absent, nobody
    is notified: a caller that did not check access must not spread the order's text."""

    notify: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=100)


async def _card(outcome: Outcome, core: CoreDep) -> dict[str, Any]:
    return card(outcome.order, await core.pipelines.get(outcome.order.pipeline_version))


@router.post("/orders/{order_id}/transitions")
async def transition(
    order_id: UUID, body: TransitionRequest, actor: CurrentActor, orders: OrdersDep, core: CoreDep
) -> dict[str, Any]:
    outcome = await orders.move(order_id, body.to, actor, body.reason, body.expected_version)
    return await _card(outcome, core)


@router.put("/orders/{order_id}/deal")
async def record_deal(
    order_id: UUID, body: DealTermsRequest, actor: CurrentActor, orders: OrdersDep, core: CoreDep
) -> dict[str, Any]:
    if not may(actor.role or "", "deal.write"):
        raise Forbidden("only managers and directors record deal terms")
    outcome = await orders.record_deal(
        order_id,
        actor,
        body.amount,
        body.decor,
        body.finishing,
        body.extra_work,
        body.payment_terms,
        body.expected_version,
    )
    return await _card(outcome, core)


@router.put("/orders/{order_id}/site")
async def pin_site(
    order_id: UUID, body: SiteRequest, actor: CurrentActor, orders: OrdersDep, core: CoreDep
) -> dict[str, Any]:
    if not may(actor.role or "", "site.pin"):
        raise Forbidden("only managers and directors set the site's position")
    return await _card(await orders.pin_site(order_id, actor, body.lat, body.lon), core)


@router.post("/orders/{order_id}/production/finished")
async def production_finished(
    order_id: UUID, actor: CurrentActor, orders: OrdersDep, core: CoreDep
) -> dict[str, Any]:
    if not may(actor.role or "", "production.finish"):
        raise Forbidden("only production, managers and directors mark production finished")
    return await _card(await orders.finish_production(order_id, actor), core)


@router.post("/orders/{order_id}/comments", status_code=201)
async def comment(
    order_id: UUID, body: CommentCommand, actor: CurrentActor, orders: OrdersDep
) -> dict[str, Any]:
    outcome = await orders.comment(order_id, actor, body.text, body.notify)
    posted = outcome.appended[0].data
    return {
        "id": posted["comment_id"],
        "text": posted["text"],
        "mentions": posted["mentions"],
        "version": outcome.order.version,
    }


@router.patch("/orders/{order_id}/customer")
async def update_customer(
    order_id: UUID, body: CustomerPatch, actor: CurrentActor, orders: OrdersDep, core: CoreDep
) -> dict[str, Any]:
    # Parse what was sent here; the merge with the current customer is the decider's, inside
    # the command, so it always merges into the state it appends after.
    outcome = await orders.update_customer(
        order_id,
        actor,
        name=body.name,
        phone=phone_of(body.phone) if body.phone else None,
        address=address_of(body.address) if body.address is not None else None,
        expected=body.expected_version,
    )
    return await _card(outcome, core)


@router.put("/orders/{order_id}/manager")
async def assign_manager(
    order_id: UUID, body: ManagerRequest, actor: CurrentActor, orders: OrdersDep, core: CoreDep
) -> dict[str, Any]:
    outcome = await orders.assign_manager(
        order_id, actor, str(body.manager_id), expected=body.expected_version
    )
    return await _card(outcome, core)


@router.put("/orders/{order_id}/promised-date")
async def promised_date(
    order_id: UUID,
    body: PromisedDateRequest,
    actor: CurrentActor,
    orders: OrdersDep,
    core: CoreDep,
) -> dict[str, Any]:
    if not may(actor.role or "", "orders.promise"):
        raise Forbidden("only managers and directors set the day promised to the customer")
    outcome = await orders.promise(
        order_id, actor, body.promised_date, expected=body.expected_version
    )
    return await _card(outcome, core)


@router.put("/orders/{order_id}/sms-consent")
async def sms_consent(
    order_id: UUID,
    body: SmsConsentRequest,
    actor: CurrentActor,
    orders: OrdersDep,
    core: CoreDep,
) -> dict[str, Any]:
    # Whoever may edit the customer's details records their consent: it is heard on the
    # same call.
    if not may(actor.role or "", "customer.edit"):
        raise Forbidden("only those who edit the customer's details record their SMS consent")
    outcome = await orders.record_sms_consent(
        order_id, actor, body.consent, expected=body.expected_version
    )
    return await _card(outcome, core)

"""An order's whole script for the load run: the fault run's first steps (chaos/workload.py:
create, requirements document, comment, to measurement, book the measurer, complete with
results), with the measurer's photos from the site — a JPEG and an iPhone's HEIC, through the
presigned upload — before completing, and then the contract gate: deal terms, the signed
contract, and the move to production.

Retries and "the read side has not caught up" waits are the fault run's (Retry, Skip)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from chaos.workload import STEPS, Driver, Order, Retry, Skip, _expect
from load import files
from load.files import Upload

LOAD_STEPS = (*STEPS[:5], "photo_jpeg", "photo_heic", STEPS[5], "deal", "signed", "production")
DEAL = {
    "amount": "185000.00",
    "decor": "Зеркало",
    "finishing": "Эмаль",
    "extra_work": "Демонтаж",
    "payment_terms": "50% предоплата",
}


@dataclass
class Script(Driver):
    steps: tuple[str, ...] = LOAD_STEPS
    visits: dict[str, str] = field(default_factory=dict)  # order key → measurement visit id
    orders: list[str] = field(default_factory=list)  # ids of those created: the mix reads them
    done: int = 0  # orders moved to production

    async def _create(self, order: Order) -> str:
        created = await super()._create(order)
        self.orders.append(created)
        return created

    async def _book(self, order: Order) -> str:
        visit = await super()._book(order)
        self.visits[order.key] = visit
        return visit

    async def _photo_jpeg(self, order: Order) -> str:
        return await self._attach(order, files.jpeg())

    async def _photo_heic(self, order: Order) -> str:
        return await self._attach(order, files.heic())

    async def _attach(self, order: Order, upload: Upload) -> str:
        declared = {
            "kind": "photo",
            "purpose": "measurement",
            "filename": upload.filename,
            "content_type": upload.content_type,
            "size": len(upload.content),
            "visit_id": self.visits[order.key],
        }
        return await self._upload_as(order, self.measurer, declared, upload)

    async def _deal(self, order: Order) -> str:
        reply = await self._send("PUT", f"/api/v1/orders/{order.id}/deal", self.manager, json=DEAL)
        if reply.status_code == 409:
            raise Retry(deferred=True)
        _expect(reply, 200)
        return "deal"

    async def _signed(self, order: Order) -> str:
        declared = {
            "kind": "document",
            "purpose": "signed_contract",
            "filename": files.PDF.filename,
            "content_type": files.PDF.content_type,
            "size": len(files.PDF.content),
        }
        return await self._upload_as(order, self.manager, declared, files.PDF)

    async def _production(self, order: Order) -> str:
        path = f"/api/v1/orders/{order.id}/transitions"
        reply = await self._send("POST", path, self.manager, json={"to": "production"})
        code = reply.json().get("code") if reply.status_code == 409 else None
        if code == "gate_unmet":
            raise Retry(deferred=True)  # the signed contract's fact is on its way to orders
        if code == "transition_not_allowed":
            card = await self._send("GET", f"/api/v1/orders/{order.id}", self.manager)
            if card.status_code == 200 and card.json().get("stage") == "production":
                raise Skip  # an earlier attempt whose answer we lost did move it
            raise Retry(deferred=True)  # the robot has not moved it to contract yet
        _expect(reply, 200)
        self.done += 1
        return "production"

    async def _upload_as(
        self, order: Order, who: dict[str, str], declared: dict[str, Any], upload: Upload
    ) -> str:
        started = await self._send("POST", f"/api/v1/orders/{order.id}/media", who, json=declared)
        if started.status_code == 404:
            raise Retry(deferred=True)  # the measurer's access to the order is being projected
        _expect(started, 201)
        media = started.json()
        try:
            put = await self.api.put(
                media["upload_url"],
                content=upload.content,
                headers={"Content-Type": upload.content_type},
            )
        except httpx.TransportError:
            self.ledger.current.errors["s3"] += 1
            raise Retry from None
        if put.status_code != 200:
            self.ledger.current.errors[f"s3 {put.status_code}"] += 1
            raise Retry
        done = await self._send("POST", f"/api/v1/media/{media['media_id']}/complete", who)
        _expect(done, 200)
        return str(media["media_id"])

"""How events change a board card: pure functions from event to row values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.events.orders import OrderCreated


@dataclass(frozen=True)
class NewCard:
    order_id: str
    number: int
    title: str
    customer_name: str
    phone: str
    address: str
    address_json: dict[str, Any]
    stage: str
    stage_entered_at: datetime
    manager_id: str | None
    version: int
    pipeline_version: int

    @property
    def search(self) -> str:
        return search_text(self.number, self.title, self.customer_name, self.phone, self.address)


def search_text(number: int, title: str, customer_name: str, phone: str, address: str) -> str:
    """What `q` matches: number, customer name, phone (digits too), address, title.

    Lower-cased here, in Python, and nowhere else: PostgreSQL's lower() follows the
    database's ctype, which under the C locale leaves Cyrillic as it is.
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    return " ".join([str(number), customer_name, phone, digits, address, title]).lower()


def card_from_created(event: OrderCreated, at: datetime, version: int) -> NewCard:
    return NewCard(
        order_id=str(event.order_id),
        number=event.number,
        title=event.title,
        customer_name=event.customer.name,
        phone=event.customer.phone,
        address=event.customer.address.one_line(),
        address_json=event.customer.address.model_dump(exclude_none=True),
        stage="intake",
        stage_entered_at=at,
        manager_id=event.manager_id,
        version=version,
        pipeline_version=event.pipeline_version,
    )

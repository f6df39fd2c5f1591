"""The board (API.md, Board): columns in pipeline order, each with its count and first cards.

A restricted audience's card has no amount, and its document count counts only documents it
may see: the projection gives the count per purpose (`document_purposes`, commercial only),
from which the restricted count is made; a card without that breakdown shows no count.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from contracts.api.audience import Shown, Views
from contracts.api.cards import AddressOut, PersonRef
from contracts.api.common import Day, Id, Money, Timestamp
from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES


class BoardCustomer(Shown):
    name: str
    phone: str
    address: AddressOut | str | None = None
    address_text: str | None = None


class NextVisit(Shown):
    starts_at: Timestamp
    ends_at: Timestamp | None = None
    kind: str | None = None
    assignee: PersonRef | None = None


class _BoardCard(Shown):
    id: Id
    number: int
    title: str
    stage: str
    stage_title: str | None = Field(default=None, description="the title in the order's pipeline")
    stage_entered_at: Timestamp | None = None
    version: int
    pipeline_version: int | None = None
    open_tasks: int | None = None
    photos: int | None = None
    documents: int | None = None
    overdue: bool | None = None
    customer: BoardCustomer
    manager: PersonRef | str | None = None
    next_visit: NextVisit | None = None
    promised_date: Day | None = Field(default=None, description="the day promised to the customer")
    forecast_close: Day | None = Field(
        default=None, description="the expected closing day (README, Closing forecast)"
    )
    forecast_late: bool | None = Field(
        default=None, description="the forecast passes the promised day"
    )


class BoardCard(_BoardCard):
    amount: Money | None = None
    document_purposes: dict[str, int] | None = None


class RestrictedBoardCard(_BoardCard):
    @model_validator(mode="before")
    @classmethod
    def _visible_documents(cls, card: Any) -> Any:
        if not isinstance(card, dict):
            return card
        card = {k: v for k, v in card.items() if k != "documents"}
        purposes = card.get("document_purposes")
        if isinstance(purposes, dict):
            card["documents"] = sum(
                int(n) for p, n in purposes.items() if p not in COMMERCIAL_DOCUMENT_PURPOSES
            )
        return card


class Column(Shown):
    stage: str
    title: str
    count: int
    cards: list[BoardCard]


class RestrictedColumn(Column):
    cards: list[RestrictedBoardCard]  # type: ignore[assignment]


class Board(Shown):
    columns: list[Column]


class RestrictedBoard(Board):
    columns: list[RestrictedColumn]  # type: ignore[assignment]


BOARD = Views.of(Board, RestrictedBoard)
# One card (GET /api/v1/board/cards/{order_id}): exactly a card of the board, per audience.
BOARD_CARD = Views.of(BoardCard, RestrictedBoardCard)

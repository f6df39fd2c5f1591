"""Request and response shapes of the public orders API (API.md, Orders)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    city: str = Field(min_length=1, max_length=100)
    street: str = Field(min_length=1, max_length=200)
    building: str = Field(min_length=1, max_length=50)
    apartment: str | None = Field(default=None, max_length=50)
    entrance: str | None = Field(default=None, max_length=20)
    floor: str | None = Field(default=None, max_length=20)
    intercom: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=1000)


# Text the service trims before it checks it is not empty: it must hold something.
NotBlank = Field(pattern=r"\S")


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, NotBlank] = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=40)
    address: Annotated[str, NotBlank] | AddressIn = Field(description="Free text, or structured")


class CreateOrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    customer: CustomerIn
    description: str | None = Field(default=None, max_length=10_000)


class CustomerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, NotBlank] | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, min_length=1, max_length=40)
    address: Annotated[str, NotBlank] | AddressIn | None = None
    expected_version: int | None = Field(default=None, ge=0)


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, max_length=64)
    expected_version: int | None = Field(default=None, ge=0)
    reason: str | None = Field(default=None, max_length=2000)


# What the OpenAPI says an amount is: a decimal string above zero with at most 12 digits before
# the point and 2 after (API.md: money is a decimal string). A JSON number is taken too.
AMOUNT_SCHEMA = {
    "type": "string",
    "pattern": r"^(?=[0-9.]*[1-9])[0-9]{1,12}(\.[0-9]{1,2})?$",
    "examples": ["185000.00"],
}


class DealTermsRequest(BaseModel):
    """Money is a decimal string (API.md): "185000.00"."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Decimal, WithJsonSchema(AMOUNT_SCHEMA)] = Field(
        gt=0, max_digits=14, decimal_places=2
    )
    decor: str = Field(default="", max_length=2000)
    finishing: str = Field(default="", max_length=2000)
    extra_work: str = Field(default="", max_length=2000)
    payment_terms: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=0)


class CommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000)


class ManagerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    manager_id: UUID

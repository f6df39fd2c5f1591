"""Request and response shapes of the public orders API (API.md, Orders)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, WithJsonSchema

from contracts.api.common import Input, OnDay


class AddressIn(Input):
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
# The phone forms the orders service takes (services/orders/domain/phone.py): +7 and 10 more
# digits, another country's + and 8 to 15 digits, 8 or 7 and 10 digits, or 9 and 9 digits;
# one or two spaces, brackets, dots or dashes between (the service takes more). Said in the
# OpenAPI only: the service checks it and answers `invalid_phone`, a code clients rely on.
_SEP = r"[ ().-]{0,2}"
PHONE_PATTERN = (
    rf"^ *(\+{_SEP}(7(?:{_SEP}[0-9]){{10}}|[0-689](?:{_SEP}[0-9]){{7,14}})"
    rf"|{_SEP}[78](?:{_SEP}[0-9]){{10}}|{_SEP}9(?:{_SEP}[0-9]){{9}}){_SEP} *$"
)
Phone = Annotated[str, Field(json_schema_extra={"pattern": PHONE_PATTERN})]


class CustomerIn(Input):
    name: Annotated[str, NotBlank] = Field(min_length=1, max_length=200)
    phone: Phone = Field(min_length=1, max_length=40)
    address: Annotated[str, NotBlank] | AddressIn = Field(description="Free text, or structured")


class CreateOrderRequest(Input):
    title: str = Field(min_length=1, max_length=200)
    customer: CustomerIn
    description: str | None = Field(default=None, max_length=10_000)
    promised_date: OnDay | None = Field(
        default=None,
        description="The day promised to the customer (YYYY-MM-DD), not before today",
    )


class PromisedDateRequest(Input):
    """Set (YYYY-MM-DD), change, or clear (null) the day promised to the customer; a day
    before the order was created is refused (422)."""

    promised_date: OnDay | None
    expected_version: int | None = Field(default=None, ge=0)


class SmsConsentRequest(Input):
    """The customer's answer about confirmation SMS the day before each visit: true when
    they agreed, false when they declined or withdrew. Recorded with who heard it and when;
    without a recorded `true` no SMS ever goes to the customer."""

    consent: StrictBool
    expected_version: int | None = Field(default=None, ge=0)


class CustomerPatch(Input):
    name: Annotated[str, NotBlank] | None = Field(default=None, min_length=1, max_length=200)
    phone: Phone | None = Field(default=None, min_length=1, max_length=40)
    address: Annotated[str, NotBlank] | AddressIn | None = None
    expected_version: int | None = Field(default=None, ge=0)


class TransitionRequest(Input):
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


class DealTermsRequest(Input):
    """Money is a decimal string (API.md): "185000.00"."""

    amount: Annotated[Decimal, WithJsonSchema(AMOUNT_SCHEMA)] = Field(
        gt=0, max_digits=14, decimal_places=2
    )
    decor: str = Field(default="", max_length=2000)
    finishing: str = Field(default="", max_length=2000)
    extra_work: str = Field(default="", max_length=2000)
    payment_terms: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=0)


class CommentRequest(Input):
    text: str = Field(min_length=1, max_length=10_000)


class ManagerRequest(Input):
    manager_id: UUID
    expected_version: int | None = Field(default=None, ge=0)


class SiteRequest(Input):
    """PUT /orders/{id}/site: the site's position, set (re-pinned) by the office."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)

"""Value shapes reused by several events."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Address(BaseModel):
    """A site address. `text` keeps free-form input (and every pre-v2 address)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=100)
    street: str | None = Field(default=None, max_length=200)
    building: str | None = Field(default=None, max_length=50)
    apartment: str | None = Field(default=None, max_length=50)
    entrance: str | None = Field(default=None, max_length=20)
    floor: str | None = Field(default=None, max_length=20)
    intercom: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=1000)

    def one_line(self) -> str:
        """Human one-liner, used for search and cards."""
        if self.text and not (self.city or self.street):
            return self.text
        parts = [self.city, self.street, self.building]
        line = ", ".join(p for p in parts if p)
        if self.apartment:
            line += f", кв. {self.apartment}"
        return line or (self.text or "")


class CustomerV1(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    phone: str
    address: str


class Customer(BaseModel):
    """Customer as of schema v2: the address gained structure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(description="E.164, e.g. +79151234567")
    address: Address


VisitKind = Literal["measurement", "delivery", "installation", "rework"]
VISIT_KINDS: tuple[VisitKind, ...] = ("measurement", "delivery", "installation", "rework")
# DOMAIN.md: each visit kind is done by one role.
VISIT_ROLE: dict[str, str] = {
    "measurement": "measurer",
    "delivery": "delivery",
    "installation": "installer",
    "rework": "installer",
}
MediaKind = Literal["document", "photo"]
DOCUMENT_PURPOSES = (
    "contract_draft",
    "requirements",
    "calculation",
    "signed_contract",
    "measurement",
    "other",
)
PHOTO_PURPOSES = ("measurement", "installation", "rework", "other")


class RoomMeasurement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    width_mm: int = Field(gt=0, le=100_000)
    height_mm: int = Field(gt=0, le=100_000)
    depth_mm: int | None = Field(default=None, gt=0, le=100_000)
    notes: str | None = Field(default=None, max_length=2000)


class MeasurementResults(BaseModel):
    """What a measurer enters on site (API.md, tasks/complete)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rooms: list[RoomMeasurement] = Field(min_length=1, max_length=100)
    notes: str | None = Field(default=None, max_length=5000)


class GeoPoint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

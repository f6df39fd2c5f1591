"""Events of the gateway's user directory (topic `identity.events`, stream `user-<id>`)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

Role = Literal["manager", "measurer", "installer", "delivery", "production", "director", "admin"]
ROLES: tuple[Role, ...] = (
    "manager",
    "measurer",
    "installer",
    "delivery",
    "production",
    "director",
    "admin",
)
FIELD_ROLES: frozenset[str] = frozenset({"measurer", "installer", "delivery"})
CREW_ROLES: frozenset[str] = frozenset({"measurer", "installer", "delivery", "production"})
# DOMAIN.md, Roles: these see every order (whoever is assigned); the gateway and scheduling
# both decide access with it.
SEES_ALL_ORDERS: frozenset[str] = frozenset({"manager", "director", "admin"})


class UserRegistered(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: UUID
    username: str
    display_name: str
    role: Role
    active: bool = True


class UserUpdated(BaseModel):
    """The user's current profile after a change (a full snapshot keeps consumers simple)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: UUID
    username: str
    display_name: str
    role: Role
    active: bool

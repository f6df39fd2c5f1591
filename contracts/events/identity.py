"""Events of the gateway's user directory (topic `identity.events`, stream `user-<id>`)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.roles import Role  # the one table of roles; events carry a role by name

# Role too: it is the type of these events' `role` field, so readers of the events name it.
__all__ = ["Role", "UserRegistered", "UserUpdated"]


class UserRegistered(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: UUID
    username: str
    display_name: str
    role: Role
    active: bool = True
    # Where e-mail notifications go; None: the person gets none (added later, optional).
    email: str | None = None


class UserUpdated(BaseModel):
    """The user's current profile after a change (a full snapshot keeps consumers simple)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: UUID
    username: str
    display_name: str
    role: Role
    active: bool
    email: str | None = None

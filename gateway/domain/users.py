"""Users and roles as the gateway owns them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from contracts.roles import Capability, may, roles_with

# Demo addresses on a reserved domain (RFC 2606): `make run` keeps their mail as .eml files.
DEMO_EMAIL_DOMAIN = "oms.example"
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("manager", "Мария Петрова", "manager"),
    ("measurer", "Иван Замеров", "measurer"),
    ("installer", "Сергей Монтажов", "installer"),
    ("delivery", "Павел Доставкин", "delivery"),
    ("production", "Ольга Цехова", "production"),
    ("director", "Андрей Директоров", "director"),
    ("admin", "Администратор", "admin"),
)
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password of the local stack only


@dataclass(frozen=True)
class User:
    id: UUID
    username: str
    display_name: str
    role: str
    active: bool
    password_hash: str
    email: str | None = None

    def public(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "active": self.active,
            "email": self.email,
        }


# Who can administer users is a capability, not a role name (contracts/roles.py).
ADMINISTERS: Final[Capability] = "users.admin"
ADMINISTRATOR_ROLES: Final[frozenset[str]] = roles_with(ADMINISTERS)


def administers(role: str, active: bool) -> bool:
    return active and may(role, ADMINISTERS)


class AccessChangeRefused(Exception):
    """A change to a user's role or activity that would leave someone unable to administer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_access_change(
    actor_id: UUID, target: User, role: str | None, active: bool | None, administrators: int
) -> None:
    """Refuses (AccessChangeRefused) an administrator deactivating or demoting themselves,
    and any change that leaves no active administrator. `role` and `active` are the change's
    (None: unchanged); `administrators` counts the active ones now, the target among them if
    it is one.

    Users are only ever administered through the API, by an administrator: after either
    change nobody (or not this admin) could undo it without the database. A rename or a new
    password of one's own changes no access and stays allowed."""
    if target.id == actor_id and (
        active is False or (role is not None and not may(role, ADMINISTERS))
    ):
        raise AccessChangeRefused(
            "cannot_change_own_access",
            "you cannot deactivate yourself or change your own role; ask another admin",
        )
    after = administers(
        target.role if role is None else role, target.active if active is None else active
    )
    if administers(target.role, target.active) and not after and administrators <= 1:
        raise AccessChangeRefused(
            "last_admin",
            f"{target.username} is the last active admin; make another user an admin first",
        )

"""Users and roles as the gateway owns them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

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

    def public(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "active": self.active,
        }

"""People named on an order card by their display name, which only the gateway knows (it owns
the users): the orders service records who did something by id and login."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from gateway.domain.users import User


class UserLookup(Protocol):
    async def by_id(self, user_id: uuid.UUID) -> User | None: ...


async def name_consent_recorder(card: dict[str, Any], users: UserLookup) -> dict[str, Any]:
    """The SMS consent's recorder as the office knows them («Мария Менеджерова», not
    «manager»); the login stays where the user is gone or the id is not one of ours."""
    by = (card.get("sms_consent") or {}).get("by")
    if not by:
        return card
    try:
        user = await users.by_id(uuid.UUID(str(by["id"])))
    except ValueError:
        return card
    if user is not None and user.display_name:
        by["display_name"] = user.display_name
    return card

"""The order card names the SMS consent's recorder by display name (gateway/application/
names.py), and keeps the login where the person is unknown here."""

from __future__ import annotations

import uuid
from typing import Any

from gateway.application.names import name_consent_recorder
from gateway.domain.users import User

KNOWN = uuid.uuid4()


class Lookup:
    async def by_id(self, user_id: uuid.UUID) -> User | None:
        if user_id != KNOWN:
            return None
        return User(KNOWN, "manager", "Мария Петрова", "manager", active=True, password_hash="")


def card(by: dict[str, Any] | None) -> dict[str, Any]:
    return {"sms_consent": {"consent": True, "by": by, "at": "2026-12-01T09:00:00Z"}}


async def test_the_recorder_is_named_as_the_office_knows_them() -> None:
    named = await name_consent_recorder(
        card({"id": str(KNOWN), "display_name": "manager"}), Lookup()
    )
    assert named["sms_consent"]["by"] == {"id": str(KNOWN), "display_name": "Мария Петрова"}


async def test_an_unknown_or_odd_recorder_keeps_the_login() -> None:
    gone = {"id": str(uuid.uuid4()), "display_name": "former"}
    assert (await name_consent_recorder(card(dict(gone)), Lookup()))["sms_consent"]["by"] == gone
    odd = {"id": "robot", "display_name": "robot"}
    assert (await name_consent_recorder(card(dict(odd)), Lookup()))["sms_consent"]["by"] == odd
    assert await name_consent_recorder({"sms_consent": None}, Lookup()) == {"sms_consent": None}
    assert await name_consent_recorder(card(None), Lookup()) == card(None)

"""Events scheduling reacts to. For now: keeping the crew from identity events."""

from __future__ import annotations

from contracts.envelope import Envelope
from plumbing.db import Conn
from services.scheduling.adapters.crew_store import upsert_member
from services.scheduling.domain.crew import is_crew_role


async def apply_event(conn: Conn, envelope: Envelope) -> None:
    # An update is applied even to a non-crew role, so a demoted member becomes inactive here.
    is_identity = envelope.type in ("identity.UserRegistered", "identity.UserUpdated")
    if is_identity and (
        is_crew_role(str(envelope.data.get("role"))) or envelope.type.endswith("Updated")
    ):
        await upsert_member(conn, envelope.data)

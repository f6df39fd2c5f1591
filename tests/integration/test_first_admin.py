"""Day 0 (gateway/first_admin.py): a fresh deployment gets its first admin from a Secret, once;
a weak password or a taken name is refused with the reason; with an admin there, nothing."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from gateway.first_admin import NoFirstAdmin, run

STRONG = "Кедр-сосна-ель 2026!"


async def test_the_first_admin_is_made_once_from_the_environment(database_url: str) -> None:
    schema = f"gw_{uuid.uuid4().hex[:10]}"
    base = {"DATABASE_URL": database_url, "DB_SCHEMA": schema}
    with pytest.raises(NoFirstAdmin, match="no FIRST_ADMIN_PASSWORD"):
        await run(base)
    with pytest.raises(NoFirstAdmin, match="FIRST_ADMIN_PASSWORD refused"):
        await run({**base, "FIRST_ADMIN_PASSWORD": "admin123"})
    given = {**base, "FIRST_ADMIN_PASSWORD": STRONG, "FIRST_ADMIN_EMAIL": "boss@firm.example"}
    assert await run(given) == "created"
    assert await run(given) == "exists"
    assert await run(base) == "exists"  # the Secret may go once the admin has signed in

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(f"SELECT username, role, active, email FROM {schema}.users")
        assert [tuple(r) for r in rows] == [("admin", "admin", True, "boss@firm.example")]
        # Announced like any user, so the other services know the admin.
        kinds = await conn.fetch(f"SELECT envelope->>'type' AS t FROM {schema}.outbox")
        assert [r["t"] for r in kinds] == ["identity.UserRegistered"]
        # The admin left (deactivated): the next run makes a new one, under another name.
        await conn.execute(f"UPDATE {schema}.users SET active = false")
    finally:
        await conn.close()
    with pytest.raises(NoFirstAdmin, match="exists but is no active admin"):
        await run(given)
    assert await run({**given, "FIRST_ADMIN_USERNAME": "admin2"}) == "created"

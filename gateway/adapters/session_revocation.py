"""Ending sessions inside another change's transaction (a password reset, a deactivation, a
role change commit together with the end of every session they make stale)."""

from __future__ import annotations

import uuid

from plumbing.db import Conn


async def revoke_sessions(
    conn: Conn, user_id: uuid.UUID, reason: str, keep: uuid.UUID | None = None
) -> int:
    """Ends every live session of the user but `keep`; how many."""
    status = await conn.execute(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 "
        "WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3",
        user_id,
        reason,
        keep,
    )
    return int(status.split()[-1])


async def revoke_session(conn: Conn, session_id: uuid.UUID, reason: str) -> bool:
    status = await conn.execute(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 "
        "WHERE id = $1 AND revoked_at IS NULL",
        session_id,
        reason,
    )
    return status.split()[-1] != "0"

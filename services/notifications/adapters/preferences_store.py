"""People's own choices: which kinds reach them on which channels, and their quiet hours."""

from __future__ import annotations

from datetime import time
from uuid import UUID

from plumbing.db import Conn
from services.notifications.domain.routing import QuietHours


async def chosen(conn: Conn, user_id: UUID) -> dict[tuple[str, str], bool]:
    rows = await conn.fetch(
        "SELECT kind, channel, enabled FROM notification_choices WHERE user_id = $1", user_id
    )
    return {(r["kind"], r["channel"]): r["enabled"] for r in rows}


async def quiet(conn: Conn, user_id: UUID) -> QuietHours | None:
    row = await conn.fetchrow(
        "SELECT starts, ends, timezone FROM quiet_hours WHERE user_id = $1", user_id
    )
    return None if row is None else QuietHours(row["starts"], row["ends"], row["timezone"])


async def save(
    conn: Conn,
    user_id: UUID,
    choices: dict[tuple[str, str], bool],
    quiet_hours: tuple[time, time, str] | None,
    clear_quiet: bool,
) -> None:
    """Replaces the choices named; `clear_quiet`: the person turned quiet hours off."""
    await conn.executemany(
        "INSERT INTO notification_choices (user_id, kind, channel, enabled) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, kind, channel) DO UPDATE SET enabled = $4",
        [(user_id, k, c, on) for (k, c), on in choices.items()],
    )
    if clear_quiet:
        await conn.execute("DELETE FROM quiet_hours WHERE user_id = $1", user_id)
    elif quiet_hours is not None:
        starts, ends, zone = quiet_hours
        await conn.execute(
            "INSERT INTO quiet_hours (user_id, starts, ends, timezone) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (user_id) DO UPDATE SET starts = $2, ends = $3, timezone = $4",
            user_id,
            starts,
            ends,
            zone,
        )

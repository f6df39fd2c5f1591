"""Sign-in attempts counted in PostgreSQL, atomically: the decision to hear an attempt and
the row that counts it are one transaction, under a lock per username and one per address.

Without the locks, fifty attempts at once would each count the failures before any of them
wrote its own, and all fifty would have their passwords checked (the parallel burst of issue
14). The password itself is checked after the transaction, without a lock: the attempt's row
is written first as a failure, so parallel attempts already count it, and a success deletes it
again (with the username's earlier failures).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from gateway.domain.login_throttle import WINDOW, Tally, retry_after
from plumbing.db import lock_key

# Step of the gateway's migrations, after USERS_DDL (which made login_failures).
LOGIN_ATTEMPTS_DDL = """
ALTER TABLE login_failures ADD COLUMN IF NOT EXISTS checked boolean NOT NULL DEFAULT true;
CREATE INDEX IF NOT EXISTS login_failures_at_idx ON login_failures (at);
"""


@dataclass(frozen=True)
class Heard:
    """The attempt may go on; it counts as a failure until `succeeded`."""

    attempt_id: int


@dataclass(frozen=True)
class Refused:
    retry_after: int


class LoginAttempts:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema

    def _lock(self, kind: str, value: str) -> int:
        return lock_key(f"{self.schema}:login-{kind}:{value}")

    async def begin(self, username: str, address: str) -> Heard | Refused:
        async with self.pool.acquire() as conn, conn.transaction():
            # Always the username's lock first, then the address's: two attempts never wait
            # for each other crosswise.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self._lock("user", username))
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self._lock("addr", address))
            # clock_timestamp(), not now(): now() is when this transaction began, possibly
            # before the attempt we waited for wrote its row.
            row = await conn.fetchrow(
                "SELECT clock_timestamp() AS now, "
                "count(*) FILTER (WHERE username = $1) AS user_n, "
                "max(at) FILTER (WHERE username = $1 AND checked) AS user_last, "
                "count(*) FILTER (WHERE address = $2) AS addr_n, "
                "max(at) FILTER (WHERE address = $2 AND checked) AS addr_last "
                "FROM login_failures "
                "WHERE at > clock_timestamp() - $3::interval AND (username = $1 OR address = $2)",
                username,
                address,
                WINDOW,
            )
            assert row is not None
            wait = retry_after(
                Tally(int(row["user_n"]), row["user_last"]),
                Tally(int(row["addr_n"]), row["addr_last"]),
                row["now"],
            )
            attempt_id = await conn.fetchval(
                "INSERT INTO login_failures (username, address, checked, at) "
                "VALUES ($1, $2, $3, clock_timestamp()) RETURNING id",
                username,
                address,
                wait is None,
            )
        return Heard(int(attempt_id)) if wait is None else Refused(wait)

    async def succeeded(self, username: str) -> None:
        """The right password: the username's failures (this attempt's among them) are
        forgotten. The address's failures for other usernames stay."""
        await self.pool.execute("DELETE FROM login_failures WHERE username = $1", username)

    async def prune(self) -> int:
        deleted = await self.pool.execute(
            "DELETE FROM login_failures WHERE at < now() - $1::interval", WINDOW
        )
        return int(deleted.split()[-1])

    async def count(self, username: str) -> int:
        """Failures of a username within the window (for operators and tests)."""
        return int(
            await self.pool.fetchval(
                "SELECT count(*) FROM login_failures "
                "WHERE username = $1 AND at > now() - $2::interval",
                username,
                WINDOW,
            )
        )

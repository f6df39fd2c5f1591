"""Sign-in sessions and their refresh tokens in the gateway's schema.

A refresh token is 32 random bytes; only its SHA-256 is stored (a fast hash is enough for a
value nobody can guess, and a leaked table holds nothing to present). Used tokens stay, so a
replayed one is recognised (theft detection), until they are a REUSE_MEMORY old or their
session ends and is pruned.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from gateway.adapters.session_revocation import revoke_session, revoke_sessions
from gateway.adapters.users_repo import user_from_row
from gateway.domain.sessions import REFRESH_REUSED, Lifetimes, Refresh, judge_refresh
from gateway.domain.users import User

SESSIONS_DDL = """
CREATE TABLE IF NOT EXISTS sessions (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id),
    remember       boolean NOT NULL,
    created_at     timestamptz NOT NULL,
    last_used_at   timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text
);
CREATE INDEX IF NOT EXISTS sessions_user_live_idx ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS sessions_expires_idx ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash bytea PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at  timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_idx ON refresh_tokens (session_id);
"""
# How long a used refresh token is remembered for theft detection, and ended sessions kept.
REUSE_MEMORY = timedelta(days=14)
ENDED_KEPT = timedelta(days=1)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    id: uuid.UUID
    user_id: uuid.UUID
    remember: bool
    expires_at: datetime


@dataclass(frozen=True)
class Holder:
    """The user of a session and whether it still admits them (revoked_reason: why not)."""

    user: User
    live: bool
    revoked_reason: str | None
    expires_at: datetime | None = None  # the session's; a cache keeps it no longer


@dataclass(frozen=True)
class Rotation:
    outcome: Refresh
    session: Session | None  # for ROTATE and GRACE
    user: User | None  # for ROTATE and GRACE
    refresh_token: str | None  # the next token, for ROTATE only
    # For DEAD: why the session ended, when it was revoked (sessions.revoked_reason)
    revoked_reason: str | None = None


def _holder(row: asyncpg.Record) -> Holder:
    return Holder(user_from_row(row), bool(row["s_live"]), row["s_reason"], row["s_expires"])


def _session(row: asyncpg.Record) -> Session:
    return Session(row["id"], row["user_id"], row["remember"], row["expires_at"])


class SessionsRepo:
    def __init__(self, pool: asyncpg.Pool, lifetimes: Lifetimes) -> None:
        self.pool = pool
        self.lifetimes = lifetimes
        # Told after a commit that ended a session (the holders' cache: holder_cache.py).
        self.on_session_ended: Callable[[uuid.UUID], None] = lambda _: None
        self.on_user_changed: Callable[[uuid.UUID], None] = lambda _: None

    async def open(self, user_id: uuid.UUID, remember: bool) -> tuple[Session, str]:
        """A new session and its first refresh token."""
        token = new_refresh_token()
        session_id = uuid.uuid4()
        async with self.pool.acquire() as conn, conn.transaction():
            now = await conn.fetchval("SELECT now()")
            expires = self.lifetimes.expires_at(remember=remember, created_at=now, now=now)
            row = await conn.fetchrow(
                "INSERT INTO sessions (id, user_id, remember, created_at, last_used_at, "
                "expires_at) VALUES ($1, $2, $3, $4, $4, $5) RETURNING *",
                session_id,
                user_id,
                remember,
                now,
                expires,
            )
            await conn.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) "
                "VALUES ($1, $2, $3)",
                _hash(token),
                session_id,
                now,
            )
        assert row is not None
        return _session(row), token

    async def holder(self, session_id: uuid.UUID, user_id: uuid.UUID) -> Holder | None:
        """Asked on every request (one query, as reading the user alone was): None when no
        such session of that user exists."""
        row = await self.pool.fetchrow(
            "SELECT u.*, s.revoked_reason AS s_reason, s.expires_at AS s_expires, "
            "(s.revoked_at IS NULL AND s.expires_at > now()) AS s_live "
            "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2",
            session_id,
            user_id,
        )
        if row is None:
            return None
        return _holder(row)

    async def holders(
        self, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], Holder]:
        """`holder` for many sessions in one query (the live streams' re-check: one query a
        second for every open stream of this process, not one each). A pair with no such
        session of that user is absent from the answer."""
        if not pairs:
            return {}
        rows = await self.pool.fetch(
            "SELECT u.*, s.id AS s_id, s.revoked_reason AS s_reason, s.expires_at AS s_expires, "
            "(s.revoked_at IS NULL AND s.expires_at > now()) AS s_live "
            "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ANY($1::uuid[])",
            sorted({session_id for session_id, _ in pairs}),
        )
        found = {(row["s_id"], row["id"]): _holder(row) for row in rows}
        return {pair: found[pair] for pair in pairs if pair in found}

    async def rotate(self, token: str) -> Rotation:
        rotation, ended = await self._rotate(token)
        if ended is not None:
            self.on_session_ended(ended)
        return rotation

    async def _rotate(self, token: str) -> tuple[Rotation, uuid.UUID | None]:
        """The rotation, and the session it ended (a replayed token's), if any."""
        async with self.pool.acquire() as conn, conn.transaction():
            # The token's row and its session's, locked: of two refreshes with one token, the
            # second waits here and then sees the first's `used_at` (GRACE or REUSED), never
            # both rotating from the same token.
            row = await conn.fetchrow(
                "SELECT t.used_at, s.*, clock_timestamp() AS now, "
                "(s.revoked_at IS NULL AND s.expires_at > clock_timestamp()) AS live "
                "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id "
                "WHERE t.token_hash = $1 FOR UPDATE OF t, s",
                _hash(token),
            )
            if row is None:
                return Rotation(Refresh.DEAD, None, None, None), None
            user_row = await conn.fetchrow("SELECT * FROM users WHERE id = $1", row["user_id"])
            user = None if user_row is None else user_from_row(user_row)
            now: datetime = row["now"]
            outcome = judge_refresh(
                used_at=row["used_at"],
                session_live=bool(row["live"]) and user is not None and user.active,
                now=now,
                grace=self.lifetimes.reuse_grace,
            )
            session = _session(row)
            if outcome is Refresh.DEAD:
                # The user (as they are now) and the reason: a deactivated user is told so.
                return Rotation(outcome, None, user, None, row["revoked_reason"]), None
            if outcome is Refresh.REUSED:
                await revoke_session(conn, session.id, REFRESH_REUSED)
                return Rotation(outcome, None, None, None), session.id
            if outcome is Refresh.GRACE:
                return Rotation(outcome, session, user, None), None
            successor = new_refresh_token()
            await conn.execute(
                "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", _hash(token), now
            )
            await conn.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) "
                "VALUES ($1, $2, $3)",
                _hash(successor),
                session.id,
                now,
            )
            expires = self.lifetimes.expires_at(
                remember=session.remember, created_at=row["created_at"], now=now
            )
            await conn.execute(
                "UPDATE sessions SET last_used_at = $2, expires_at = $3 WHERE id = $1",
                session.id,
                now,
                expires,
            )
            rotated = Session(session.id, session.user_id, session.remember, expires)
            return Rotation(outcome, rotated, user, successor), None

    async def of_token(self, token: str) -> Session | None:
        """The live session a refresh token that is still current (or just rotated) belongs
        to: what logout ends. An old token identifies nothing."""
        row = await self.pool.fetchrow(
            "SELECT s.* FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id "
            "WHERE t.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() "
            "AND (t.used_at IS NULL OR t.used_at > now() - $2::interval)",
            _hash(token),
            self.lifetimes.reuse_grace,
        )
        return None if row is None else _session(row)

    async def revoke(self, session_id: uuid.UUID, reason: str) -> bool:
        async with self.pool.acquire() as conn:
            ended = await revoke_session(conn, session_id, reason)
        self.on_session_ended(session_id)
        return ended

    async def revoke_all(self, user_id: uuid.UUID, reason: str) -> int:
        async with self.pool.acquire() as conn:
            ended = await revoke_sessions(conn, user_id, reason)
        self.on_user_changed(user_id)
        return ended

    async def prune(self) -> int:
        """Forget sessions ended a while ago (their tokens go with them) and used tokens too
        old to matter."""
        ended = await self.pool.execute(
            "DELETE FROM sessions WHERE expires_at < now() - $1::interval "
            "OR revoked_at < now() - $1::interval",
            ENDED_KEPT,
        )
        used = await self.pool.execute(
            "DELETE FROM refresh_tokens WHERE used_at < now() - $1::interval", REUSE_MEMORY
        )
        return int(ended.split()[-1]) + int(used.split()[-1])

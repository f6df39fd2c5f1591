"""Users in the gateway's schema; every change writes its identity event to the outbox in the
same transaction (the outbox is the log; no dual write)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg

from contracts.envelope import Actor, Envelope
from contracts.events.identity import UserRegistered, UserUpdated
from contracts.roles import Role
from gateway.adapters.session_revocation import revoke_sessions
from gateway.domain.sessions import PASSWORD_CHANGED, ends_sessions
from gateway.domain.users import ADMINISTRATOR_ROLES, User
from plumbing import correlation
from plumbing.ordered_log import Outbox

USERS_DDL = """
CREATE TABLE IF NOT EXISTS users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    display_name  text NOT NULL,
    role          text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    password_hash text NOT NULL,
    version       int NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS login_failures (
    id       bigserial PRIMARY KEY,
    username text NOT NULL,
    address  text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS login_failures_user_idx ON login_failures (username, at);
CREATE INDEX IF NOT EXISTS login_failures_addr_idx ON login_failures (address, at);
"""
# Appended step: an optional e-mail address for notifications (issue 16).
USERS_EMAIL_DDL = """
ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;
"""


def user_from_row(row: asyncpg.Record) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        active=row["active"],
        password_hash=row["password_hash"],
        email=row["email"],
    )


class UsernameTaken(Exception):
    pass


# Judges a change from the user before it and the number of active administrators; raises to
# refuse it (gateway.domain.users.check_access_change).
Guard = Callable[[User, int], None]


class UsersRepo:
    def __init__(self, pool: asyncpg.Pool, outbox: Outbox) -> None:
        self.pool = pool
        self.outbox = outbox
        # Told after a commit that changed a user (the holders' cache: holder_cache.py).
        self.on_user_changed: Callable[[uuid.UUID], None] = lambda _: None

    async def by_username(self, username: str) -> User | None:
        row = await self.pool.fetchrow("SELECT * FROM users WHERE username = $1", username)
        return None if row is None else user_from_row(row)

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        row = await self.pool.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
        return None if row is None else user_from_row(row)

    async def by_usernames(self, usernames: list[str]) -> list[User]:
        """Users whose username matches one of these case-insensitively (as mentions do)."""
        rows = await self.pool.fetch(
            "SELECT * FROM users WHERE lower(username) = ANY($1::text[]) ORDER BY username",
            [u.lower() for u in usernames],
        )
        return [user_from_row(r) for r in rows]

    async def all(self) -> list[User]:
        return [
            user_from_row(r) for r in await self.pool.fetch("SELECT * FROM users ORDER BY username")
        ]

    async def count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM users"))

    async def create(
        self,
        username: str,
        display_name: str,
        role: str,
        password_hash: str,
        actor: Actor,
        email: str | None = None,
    ) -> User:
        user_id = uuid.uuid4()
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                row = await conn.fetchrow(
                    "INSERT INTO users (id, username, display_name, role, password_hash, email) "
                    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
                    user_id,
                    username,
                    display_name,
                    role,
                    password_hash,
                    email,
                )
            except asyncpg.UniqueViolationError:
                raise UsernameTaken(username) from None
            assert row is not None
            user = user_from_row(row)
            event = UserRegistered(
                user_id=user_id,
                username=username,
                display_name=display_name,
                role=cast(Role, role),  # validated by the caller
                active=True,
                email=email,
            )
            await self.outbox.append(
                conn,
                [
                    _envelope(
                        user, "identity.UserRegistered", 1, event.model_dump(mode="json"), actor
                    )
                ],
            )
            return user

    async def update(
        self,
        user_id: uuid.UUID,
        changes: dict[str, Any],
        actor: Actor,
        guard: Guard | None = None,
        keep_session: uuid.UUID | None = None,
    ) -> User | None:
        """The changed user, None for an unknown id; `guard` sees the user as it is before the
        change and the active administrators, in the change's transaction, and may refuse.

        A new password, a deactivation or a role change ends every session of the user in the
        same transaction (their tokens are refused from the next request on), but
        `keep_session`: the one of a user setting their own password, who stays signed in
        there while everyone else holding their old password is signed out."""
        try:
            allowed = {"display_name", "role", "active", "password_hash", "email"}
            sets = {k: v for k, v in changes.items() if k in allowed}
            async with self.pool.acquire() as conn, conn.transaction():
                if guard is not None:
                    # Guarded changes one at a time: two admins demoting each other at once
                    # would each count the other as remaining, and leave no admin.
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock("
                        "hashtext(current_schema() || ':administrators'))"
                    )
                before_row = await conn.fetchrow(
                    "SELECT * FROM users WHERE id = $1 FOR UPDATE", user_id
                )
                if before_row is None:
                    return None
                before = user_from_row(before_row)
                if guard is not None:
                    administrators = await conn.fetchval(
                        "SELECT count(*) FROM users WHERE active AND role = ANY($1::text[])",
                        sorted(ADMINISTRATOR_ROLES),
                    )
                    guard(before, int(administrators))
                if not sets:
                    return before
                assignments = ", ".join(f"{k} = ${i}" for i, k in enumerate(sets, start=2))
                row = await conn.fetchrow(
                    f"UPDATE users SET {assignments}, version = version + 1 "
                    "WHERE id = $1 RETURNING *",
                    user_id,
                    *sets.values(),
                )
                assert row is not None  # locked above
                user = user_from_row(row)
                reason = ends_sessions(before, user, password_changed="password_hash" in sets)
                if reason is not None:
                    keep = keep_session if reason == PASSWORD_CHANGED else None
                    await revoke_sessions(conn, user.id, reason, keep)
                event = UserUpdated(
                    user_id=user.id,
                    username=user.username,
                    display_name=user.display_name,
                    role=cast(Role, user.role),
                    active=user.active,
                    email=user.email,
                )
                await self.outbox.append(
                    conn,
                    [
                        _envelope(
                            user,
                            "identity.UserUpdated",
                            row["version"],
                            event.model_dump(mode="json"),
                            actor,
                        )
                    ],
                )
                return user

        finally:
            # Committed or not: forgetting is always safe, and a failed commit is unknowable.
            self.on_user_changed(user_id)


def _envelope(user: User, type_: str, version: int, data: dict[str, Any], actor: Actor) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        type=type_,
        schema_version=1,
        stream_id=f"user-{user.id}",
        stream_version=version,
        occurred_at=datetime.now(UTC),
        actor=actor,
        correlation_id=correlation.get_or_new(),
        data=data,
    )

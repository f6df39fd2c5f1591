"""Signing in with a password, refreshing a session, signing out: the rules of issue 14 over
the users, the attempts counter and the sessions.

What a client gets on success is `Issued`: a short-lived access token (minutes) naming its
session, and, when a new one was made, the refresh token that continues the session (the
web app keeps it in an httpOnly cookie; gateway/entrypoints/sessions.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gateway.adapters.holder_cache import HolderOf
from gateway.adapters.login_attempts import LoginAttempts, Refused
from gateway.adapters.sessions_repo import Holder, Session, SessionsRepo
from gateway.adapters.users_repo import UsersRepo
from gateway.application.tokens import TokenClaims, Tokens, verify_nobody, verify_password
from gateway.domain.sessions import LOGOUT, LOGOUT_EVERYWHERE, Refresh, deactivated, remembered
from gateway.domain.users import User
from plumbing.errors import DomainError

COUNTED_USERNAME = 128


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class UserDeactivated(Unauthenticated):
    """A token or session of a user who has been deactivated: not "sign in again" but "this
    device is no longer yours to use" — the web app wipes its local data on this code."""

    code = "user_deactivated"

    def __init__(self) -> None:
        super().__init__("this user has been deactivated; ask your administrator")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int  # seconds
    session: Session
    refresh_token: str | None  # None: keep the one you have (a parallel refresh)


class SignIn:
    def __init__(
        self,
        users: UsersRepo,
        attempts: LoginAttempts,
        sessions: SessionsRepo,
        tokens: Tokens,
        holders: HolderOf | None = None,
    ) -> None:
        self.users = users
        self.attempts = attempts
        self.sessions = sessions
        self.tokens = tokens
        # Asked on every request: the sessions themselves, or a cache of them in front
        # (gateway/adapters/holder_cache.py).
        self.holders: HolderOf = holders or sessions

    async def with_password(
        self, username: str, password: str, address: str, *, remember: bool
    ) -> Issued:
        # The counter's key: no username is longer (contracts: 64), and a megabyte of one
        # should not be stored with every failure.
        attempt = await self.attempts.begin(username[:COUNTED_USERNAME], address)
        if isinstance(attempt, Refused):
            raise TooManyAttempts(
                f"too many failed sign-ins; try again in {attempt.retry_after} s",
                retry_after=attempt.retry_after,
            )
        user = await self.users.by_username(username)
        # Off the event loop: argon2 is ~50 ms of CPU that would stall every other request.
        # The same work for nobody: an unknown or inactive user is not answered sooner.
        if user is not None and user.active:
            right = await asyncio.to_thread(verify_password, user.password_hash, password)
        else:
            right = await asyncio.to_thread(verify_nobody, password)
        if user is None or not user.active or not right:
            # The attempt's row stays: a failure, counted for the username and the address.
            raise Unauthenticated("wrong username or password")
        await self.attempts.succeeded(username[:COUNTED_USERNAME])
        session, refresh_token = await self.sessions.open(user.id, remembered(user.role, remember))
        return self._issue(user, session, refresh_token)

    async def refresh(self, refresh_token: str) -> Issued:
        rotation = await self.sessions.rotate(refresh_token)
        if rotation.outcome is Refresh.REUSED:
            raise Unauthenticated(
                "this refresh token was used before: the session is ended for safety; "
                "sign in again",
                code="refresh_reused",
            )
        dead_user = rotation.user if rotation.outcome is Refresh.DEAD else None
        if dead_user is not None and deactivated(dead_user, rotation.revoked_reason):
            raise UserDeactivated()
        if rotation.session is None or rotation.user is None:
            raise Unauthenticated("the session has ended; sign in again", code="session_ended")
        return self._issue(rotation.user, rotation.session, rotation.refresh_token)

    async def sign_out(self, session_id: uuid.UUID, user_id: uuid.UUID, *, everywhere: bool) -> int:
        """How many sessions ended."""
        if everywhere:
            return await self.sessions.revoke_all(user_id, LOGOUT_EVERYWHERE)
        return int(await self.sessions.revoke(session_id, LOGOUT))

    async def holder_of(self, claims: TokenClaims) -> Holder | None:
        """The session a verified access token names, with its user, as they are now."""
        try:
            session_id, user_id = uuid.UUID(claims.session_id), uuid.UUID(claims.user_id)
        except ValueError:
            return None
        return await self.holders.holder(session_id, user_id)

    async def holders_of(self, many: Sequence[TokenClaims]) -> list[Holder | None]:
        """`holder_of` for each of many tokens' claims, in one query."""
        pairs: list[tuple[uuid.UUID, uuid.UUID] | None] = []
        for claims in many:
            try:
                pairs.append((uuid.UUID(claims.session_id), uuid.UUID(claims.user_id)))
            except ValueError:
                pairs.append(None)
        found = await self.holders.holders([p for p in pairs if p is not None])
        return [None if p is None else found.get(p) for p in pairs]

    async def session_of(self, claims: TokenClaims) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(session id, user id) of a token whose session still admits its user."""
        holder = await self.holder_of(claims)
        if holder is None or not holder.live or not holder.user.active:
            return None
        return uuid.UUID(claims.session_id), holder.user.id

    def _issue(self, user: User, session: Session, refresh_token: str | None) -> Issued:
        claims = TokenClaims(str(user.id), user.username, user.role, str(session.id))
        access = self.tokens.issue(claims)
        return Issued(access, int(self.tokens.ttl.total_seconds()), session, refresh_token)


def seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, int((moment - now).total_seconds()))

"""Sign-in sessions as pure rules: how long one lives, what a presented refresh token means,
and which changes to a user end their sessions.

A session is one sign-in on one device; its refresh tokens are one family. Each refresh
rotates: the token presented is marked used and a new one is handed out. A used token shown
again means two parties hold the family (one of them stole it), so the whole session is
revoked (theft detection, RFC 9700 §4.14.2) — except within REUSE_GRACE of its use, which is
two tabs of one browser refreshing at the same moment with the same cookie: the later one
gets an access token of the session and no new refresh token (the browser keeps the one the
winner set). A thief who replays a token within those seconds gets minutes of access and no
way to extend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.roles import FIELD_ROLES
from gateway.domain.users import User


class Refresh(StrEnum):
    ROTATE = "rotate"  # unused token of a live session: hand out the next one
    GRACE = "grace"  # just used, a parallel refresh: an access token, no new refresh token
    REUSED = "reused"  # used a while ago: theft; revoke the session
    DEAD = "dead"  # the session has ended (revoked, expired, or its user is inactive)


def judge_refresh(
    *, used_at: datetime | None, session_live: bool, now: datetime, grace: timedelta
) -> Refresh:
    if not session_live:
        return Refresh.DEAD
    if used_at is None:
        return Refresh.ROTATE
    if now - used_at <= grace:
        return Refresh.GRACE
    return Refresh.REUSED


@dataclass(frozen=True)
class Lifetimes:
    """Not remembered: a working day from sign-in, and the cookie dies with the browser
    (office PCs are shared). Remembered (a phone, one's own computer): `remember_idle` after
    the last refresh, never more than `remember_max` after sign-in."""

    session: timedelta = timedelta(hours=12)
    remember_idle: timedelta = timedelta(days=30)
    remember_max: timedelta = timedelta(days=90)
    reuse_grace: timedelta = timedelta(seconds=5)

    def expires_at(self, *, remember: bool, created_at: datetime, now: datetime) -> datetime:
        if not remember:
            return created_at + self.session
        return min(now + self.remember_idle, created_at + self.remember_max)


# Why a session ended (sessions.revoked_reason), also told to an open live stream.
LOGOUT = "logout"
LOGOUT_EVERYWHERE = "logout_everywhere"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
DEACTIVATED = "deactivated"
ROLE_CHANGED = "role_changed"
REFRESH_REUSED = "refresh_reused"


def deactivated(user: User, revoked_reason: str | None) -> bool:
    """Refused because the user was deactivated (not merely signed out or expired): the
    client is told so with its own code, `user_deactivated`, and wipes what the device keeps
    (web/src/offline/wipe.ts). A user reactivated since is no longer "deactivated": their old
    session ended for that reason all the same, as the live stream says (stream_guard)."""
    return not user.active or revoked_reason == DEACTIVATED


def remembered(role: str, asked: bool) -> bool:
    """Whether a new session outlives the browser. The field roles' always does: they work on
    their own phones, where an installed app that forgets its sign-in at every restart is
    unusable in a basement, and a lost phone is handled by deactivation (which wipes it at
    its next contact). Office roles decide with "remember me" (shared office computers)."""
    return asked or role in FIELD_ROLES


def ends_sessions(before: User, after: User, *, password_changed: bool) -> str | None:
    """The reason a change to a user ends all their sessions, or None: a rename ends none."""
    if before.active and not after.active:
        return DEACTIVATED
    if before.role != after.role:
        return ROLE_CHANGED
    if password_changed:
        return PASSWORD_CHANGED
    return None

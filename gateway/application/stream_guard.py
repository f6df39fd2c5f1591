"""Is the caller of a long-lived stream still who they were when it was opened?

A stream is authorised once, when it opens; left alone it would keep pushing after the
token expires, the user is deactivated or their role changes (issue 11), or the session it
belongs to ends (a logout, a password reset: issue 14). The stream asks this every second or
so and closes, saying why, so the client refreshes, reconnects with a fresh token and is
authorised again, under its current role — or is sent to sign in.
"""

from __future__ import annotations

import logging

from gateway.application.sign_in import SignIn
from gateway.application.tokens import Tokens
from gateway.domain.sessions import ROLE_CHANGED as ROLE_CHANGE
from gateway.domain.sessions import deactivated
from gateway.domain.users import User

log = logging.getLogger(__name__)

TOKEN_EXPIRED = "token_expired"  # noqa: S105 - a reason code, not a secret
USER_INACTIVE = "user_inactive"
ROLE_CHANGED = "role_changed"
UNVERIFIED = "unverified"
SESSION_ENDED = "session_ended"


class StreamGuard:
    def __init__(self, tokens: Tokens, sign_in: SignIn, token: str, user: User) -> None:
        self.tokens = tokens
        self.sign_in = sign_in
        self.token = token
        self.user = user

    async def revoked(self) -> str | None:
        """Why the stream must end now, or None while the caller still holds."""
        claims = self.tokens.read(self.token)  # verifies the expiry again
        if claims is None:
            return TOKEN_EXPIRED
        try:
            holder = await self.sign_in.holder_of(claims)
        except Exception:  # whatever keeps us from checking: fail closed
            log.warning("could not re-check the user of a stream; closing it", exc_info=True)
            return UNVERIFIED
        if holder is None:
            return SESSION_ENDED
        current = holder.user
        if deactivated(current, holder.revoked_reason):
            return USER_INACTIVE
        if holder.revoked_reason == ROLE_CHANGE:
            return ROLE_CHANGED
        if not holder.live:
            return SESSION_ENDED
        if current.role != self.user.role:
            # What the stream filters by (access, commercial changes) is the role it was
            # opened with: a reconnect applies the new one.
            return ROLE_CHANGED
        return None

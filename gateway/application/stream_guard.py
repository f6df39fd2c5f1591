"""Is the caller of a long-lived stream still who they were when it was opened?

A stream is authorised once, when it opens; left alone it would keep pushing after the
token expires, the user is deactivated or their role changes (issue 11). The stream asks
this every second or so and closes, saying why, so the client reconnects with a fresh token
and is authorised again, under its current role.
"""

from __future__ import annotations

import logging

from gateway.adapters.users_repo import UsersRepo
from gateway.application.tokens import Tokens
from gateway.domain.users import User

log = logging.getLogger(__name__)

TOKEN_EXPIRED = "token_expired"  # noqa: S105 - a reason code, not a secret
USER_INACTIVE = "user_inactive"
ROLE_CHANGED = "role_changed"
UNVERIFIED = "unverified"


class StreamGuard:
    def __init__(self, tokens: Tokens, users: UsersRepo, token: str, user: User) -> None:
        self.tokens = tokens
        self.users = users
        self.token = token
        self.user = user

    async def revoked(self) -> str | None:
        """Why the stream must end now, or None while the caller still holds."""
        if self.tokens.read(self.token) is None:  # verifies the expiry again
            return TOKEN_EXPIRED
        try:
            current = await self.users.by_id(self.user.id)
        except Exception:  # whatever keeps us from checking: fail closed
            log.warning("could not re-check the user of a stream; closing it", exc_info=True)
            return UNVERIFIED
        if current is None or not current.active:
            return USER_INACTIVE
        if current.role != self.user.role:
            # What the stream filters by (access, commercial changes) is the role it was
            # opened with: a reconnect applies the new one.
            return ROLE_CHANGED
        return None

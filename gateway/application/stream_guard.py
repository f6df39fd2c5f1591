"""Is the caller of a long-lived stream still who they were when it was opened?

A stream is authorised once, when it opens; left alone it would keep pushing after the
token expires, the user is deactivated or their role changes (issue 11), or the session it
belongs to ends (a logout, a password reset: issue 14). This is asked every second or so and
the stream closes, saying why, so the client refreshes, reconnects with a fresh token and
is authorised again, under its current role — or is sent to sign in.

One check per gateway process asks for every open stream at once (GuardChecks: the tokens'
expiry by the clock, the sessions and their users in one query), so fifty open boards cost
one query a second, not fifty (issue 17).
"""

from __future__ import annotations

import asyncio
import logging
import time

from gateway.adapters.sessions_repo import Holder
from gateway.application.sign_in import SignIn
from gateway.application.ticker import Ticker
from gateway.application.tokens import TokenClaims, Tokens
from gateway.domain.sessions import ROLE_CHANGED as ROLE_CHANGE
from gateway.domain.sessions import deactivated
from gateway.domain.users import User

log = logging.getLogger(__name__)

TOKEN_EXPIRED = "token_expired"  # noqa: S105 - a reason code, not a secret
USER_INACTIVE = "user_inactive"
ROLE_CHANGED = "role_changed"
UNVERIFIED = "unverified"
SESSION_ENDED = "session_ended"
RECHECK_S = 1.0


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
        return self.judge(holder)

    def judge(self, holder: Holder | None) -> str | None:
        """Why the stream must end, given its session's holder as it is now."""
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


class Watch:
    """One stream's standing with GuardChecks: `why` it must end, once known."""

    def __init__(self, guard: StreamGuard, wake: asyncio.Event) -> None:
        self.guard = guard
        self.why: str | None = None
        self.wake = wake  # the stream's own, set when `why` is
        # Verified once: the ring of keys is fixed for the life of the process, so from here
        # on only the clock can make the token invalid.
        read = guard.tokens.read_with_expiry(guard.token)
        self.claims: TokenClaims | None = None if read is None else read[0]
        self.expires_at = 0.0 if read is None else read[1]

    def end(self, why: str) -> None:
        if self.why is None:
            self.why = why
            self.wake.set()


class GuardChecks:
    """Re-checks every open stream of this process together, every `period_s`."""

    def __init__(self, sign_in: SignIn, period_s: float = RECHECK_S) -> None:
        self.sign_in = sign_in
        self._watches: set[Watch] = set()
        self.rounds = 0
        self.ticker = Ticker("stream-guard", period_s, self.check)

    def watch(self, guard: StreamGuard, wake: asyncio.Event) -> Watch:
        watch = Watch(guard, wake)
        self._watches.add(watch)
        self.ticker.join()
        return watch

    def leave(self, watch: Watch) -> None:
        self._watches.discard(watch)
        self.ticker.leave()

    async def check(self) -> None:
        self.rounds += 1
        pending: list[tuple[Watch, TokenClaims]] = []
        for watch in list(self._watches):
            if watch.why is not None:
                continue
            if watch.claims is None or time.time() >= watch.expires_at:
                watch.end(TOKEN_EXPIRED)
            else:
                pending.append((watch, watch.claims))
        if not pending:
            return
        try:
            holders = await self.sign_in.holders_of([claims for _, claims in pending])
        except Exception:  # whatever keeps us from checking: fail closed
            log.warning("could not re-check the users of streams; closing them", exc_info=True)
            for watch, _ in pending:
                watch.end(UNVERIFIED)
            return
        for (watch, _), holder in zip(pending, holders, strict=True):
            why = watch.guard.judge(holder)
            if why is not None:
                watch.end(why)

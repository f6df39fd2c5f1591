"""The caller as the gateway vouches for it: a short token the gateway signs for each call.

Only the gateway authenticates users. It passes who the caller is to a service in
`X-Actor-Token`, a JWT signed with the internal key (INTERNAL_SIGNING_KEY, which only the
gateway and the services hold; never the users' signing key, so a service cannot mint a
user's login). The token names the service it is for (`aud`), the request it is for (method
and path) and lives a minute, so one seen in transit opens no other door for long. Plain
`X-Actor-*` headers, which anyone who reaches a service could write, are ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, Header, Request

from contracts.envelope import Actor
from plumbing.errors import DomainError

HEADER = "X-Actor-Token"
TTL = timedelta(seconds=60)
# Clocks of the gateway's and the service's hosts may differ a little.
LEEWAY_S = 5
MIN_KEY_BYTES = 32
ALGORITHM = "HS256"


class WeakInternalKey(ValueError):
    """INTERNAL_SIGNING_KEY is missing or guessable: the process must not start."""


def check_internal_key(key: str) -> None:
    """The message names the rule, never the key (it is logged)."""
    if len(key.encode()) < MIN_KEY_BYTES or len(set(key)) < 10:
        raise WeakInternalKey(
            f"INTERNAL_SIGNING_KEY must be at least {MIN_KEY_BYTES} random bytes, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


def _request_line(method: str, target: bytes) -> str:
    """What a token is for: the method and the target as sent (path and query, still
    percent-encoded), so it opens no other route and changes no filter of this one."""
    return f"{method.upper()} {target.decode('ascii', 'replace')}"


class ActorSigner:
    """The gateway's half."""

    def __init__(self, key: str) -> None:
        check_internal_key(key)
        self._key = key

    def headers(
        self,
        actor: Actor,
        service: str,
        method: str,
        target: bytes,
        now: datetime | None = None,
    ) -> dict[str, str]:
        now = now or datetime.now(UTC)
        claims = {
            "sub": actor.id,
            "username": actor.username,
            "role": actor.role,
            "aud": service,
            "req": _request_line(method, target),
            "iat": now,
            "exp": now + TTL,
        }
        return {HEADER: jwt.encode(claims, self._key, algorithm=ALGORITHM)}


class ActorVerifier:
    """A service's half: the actor of a token signed for this service and this request."""

    def __init__(self, key: str, service: str) -> None:
        self._key = key
        self.service = service  # the audience its tokens must name

    def read(self, token: str, method: str, target: bytes) -> Actor | None:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self.service,
                leeway=LEEWAY_S,
                options={"require": ["exp", "aud", "sub", "role", "req"]},
            )
        except jwt.PyJWTError:
            return None
        if claims["req"] != _request_line(method, target):
            return None
        return Actor(
            kind="user",
            id=str(claims["sub"]),
            username=claims.get("username"),
            role=str(claims["role"]),
        )


def _target(request: Request) -> bytes:
    """The request target as it arrived: raw path, then the raw query if any."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    return raw + b"?" + query if query else raw


async def actor_from_token(  # async: no worker thread (plumbing/state.py)
    request: Request, x_actor_token: Annotated[str | None, Header()] = None
) -> Actor:
    known: Actor | None = getattr(request.state, "actor", None)
    if known is not None:  # checked once a request (every service route requires it)
        return known
    verifier: ActorVerifier | None = getattr(request.app.state, "actor_verifier", None)
    if not x_actor_token or verifier is None:
        raise DomainError("no actor token from the gateway", code="unauthenticated", status=401)
    actor = verifier.read(x_actor_token, request.method, _target(request))
    if actor is None:
        raise DomainError(
            "the actor token is invalid, expired or not for this request",
            code="unauthenticated",
            status=401,
        )
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(actor_from_token)]


PLAIN = ("X-Actor-Id", "X-Actor-Username", "X-Actor-Role")


def signing_hook(key: str, service: str) -> Callable[[httpx.Request], Awaitable[None]]:
    """An httpx request hook for calls to `service`: the caller's plain `X-Actor-*` headers
    become the token for this very request (its final URL, query included), and the plain
    headers never leave. The gateway's clients use it, and so do tests and benchmarks that
    call a service in-process."""
    signer = ActorSigner(key)

    async def sign(request: httpx.Request) -> None:
        actor_id, username, role = (request.headers.get(h) for h in PLAIN)
        for header in PLAIN:
            request.headers.pop(header, None)
        if actor_id and role:
            actor = Actor(kind="user", id=actor_id, username=username, role=role)
            request.headers.update(
                signer.headers(actor, service, request.method, request.url.raw_path)
            )

    return sign

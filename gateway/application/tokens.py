"""Signed access tokens (JWT, HS256, a `kid` naming the key of a KeyRing) that live minutes
and name the session they belong to, and password hashing (argon2id).

A token alone never admits anyone: each request also finds its session (`sid`) alive
(gateway/entrypoints/deps.py), so a logout, a password reset, a deactivation or a role change
refuses the tokens already handed out at once, not when they expire.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.application.key_ring import KeyRing
from gateway.application.signing_key import (  # re-exported: where callers always found them
    KNOWN_SIGNING_KEYS,
    MIN_SIGNING_KEY_BYTES,
    WeakSigningKey,
    check_signing_key,
)

__all__ = [
    "KNOWN_SIGNING_KEYS",
    "MIN_SIGNING_KEY_BYTES",
    "TokenClaims",
    "Tokens",
    "WeakSigningKey",
    "check_signing_key",
    "hash_password",
    "verify_nobody",
    "verify_password",
]

_hasher = PasswordHasher()
DEFAULT_ACCESS_TTL = timedelta(minutes=10)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _nobody_hash() -> str:
    # A real argon2id hash with the same parameters as every user's, of a password nobody has.
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_nobody(password: str) -> bool:
    """The work of a password check for an unknown or inactive user: answering those faster
    than a wrong password of a real one would tell a prober which usernames exist. Always
    False."""
    verify_password(_nobody_hash(), password)
    return False


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    username: str
    role: str
    session_id: str


class Tokens:
    def __init__(self, ring: KeyRing, ttl: timedelta = DEFAULT_ACCESS_TTL) -> None:
        self.ring = ring
        self.ttl = ttl

    def issue(self, claims: TokenClaims, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        payload = {
            "sub": claims.user_id,
            "username": claims.username,
            "role": claims.role,
            "sid": claims.session_id,
            "jti": secrets.token_urlsafe(9),  # two tokens issued in one second still differ
            "iat": now,
            "exp": now + self.ttl,
        }
        key = self.ring.signing
        return jwt.encode(payload, key.secret, algorithm="HS256", headers={"kid": key.kid})

    def read(self, token: str) -> TokenClaims | None:
        """The claims of a valid, unexpired token signed with a key of the ring; None for
        anything else (no kid, an unknown kid, no session id, a bad signature)."""
        read = self.read_with_expiry(token)
        return None if read is None else read[0]

    def read_with_expiry(self, token: str) -> tuple[TokenClaims, float] | None:
        """`read`, and when the token runs out (POSIX seconds): a live stream verifies its
        token once and then watches the clock, not the signature, every second."""
        try:
            key = self.ring.get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                return None
            payload = jwt.decode(
                token,
                key.secret,
                algorithms=["HS256"],
                options={"require": ["exp", "iat", "sub", "sid"]},
            )
        except jwt.PyJWTError:
            return None
        claims = TokenClaims(
            str(payload["sub"]),
            str(payload.get("username", "")),
            str(payload.get("role", "")),
            str(payload["sid"]),
        )
        return claims, float(payload["exp"])

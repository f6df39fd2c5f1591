"""Signed access tokens (JWT, HS256) with an expiry, and password hashing (argon2id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    username: str
    role: str


class Tokens:
    def __init__(self, secret: str, ttl: timedelta = timedelta(hours=12)) -> None:
        self.secret = secret
        self.ttl = ttl

    def issue(self, claims: TokenClaims, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        payload = {
            "sub": claims.user_id,
            "username": claims.username,
            "role": claims.role,
            "iat": now,
            "exp": now + self.ttl,
        }
        return jwt.encode(payload, self.secret, algorithm="HS256")

    def read(self, token: str) -> TokenClaims | None:
        """The claims of a valid, unexpired token; None for anything else."""
        try:
            payload = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.PyJWTError:
            return None
        return TokenClaims(str(payload["sub"]), str(payload["username"]), str(payload["role"]))

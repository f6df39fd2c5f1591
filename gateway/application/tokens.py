"""Signed access tokens (JWT, HS256) with an expiry, and password hashing (argon2id); the
check that refuses a signing key anyone could know or guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# HS256 keys: RFC 7518 §3.2 asks for at least as many bits as the hash (256), so 32 bytes.
MIN_SIGNING_KEY_BYTES = 32
# Values that were committed or documented somewhere (compared lower-cased, with `_` and
# spaces read as `-`): whoever reads this repository knows them, so a token signed with one
# could claim any role. Long enough to pass the length rule, so they are listed by name.
KNOWN_SIGNING_KEYS = frozenset(
    {
        "oms-dev-jwt-secret-not-for-production",  # the dev overlay's key until issue 11
        "previous-release-fixtures",
        "change-me",
        "changeme",
        "secret",
        "jwt-secret",
        "your-secret-key",
        "your-256-bit-secret",  # jwt.io's example
        "supersecret",
        "password",
    }
)
# Words that mark a value as a placeholder still waiting to be replaced, whatever surrounds them.
PLACEHOLDER_MARKS = ("change-me", "changeme", "not-for-production", "replace-me", "example")
# "aaaa…" or "abab…" pass any length rule; 32 random bytes in any encoding use far more.
MIN_DISTINCT_CHARACTERS = 10


class WeakSigningKey(ValueError):
    """The configured JWT signing key could be known or guessed: the gateway must not start."""


def check_signing_key(secret: str) -> None:
    """Refuse a key that is empty, short, a known placeholder or obviously not random.

    The message names the rule, never the key (it is logged)."""
    if not secret:
        raise WeakSigningKey(
            "JWT_SECRET is empty: set it to at least 32 random bytes, "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    normalized = secret.strip().lower().replace("_", "-").replace(" ", "-")
    if normalized in KNOWN_SIGNING_KEYS or any(m in normalized for m in PLACEHOLDER_MARKS):
        raise WeakSigningKey("JWT_SECRET is a published placeholder: generate a random one")
    if len(secret.encode()) < MIN_SIGNING_KEY_BYTES:
        raise WeakSigningKey(
            f"JWT_SECRET is shorter than {MIN_SIGNING_KEY_BYTES} bytes: generate a random one"
        )
    if len(set(secret)) < MIN_DISTINCT_CHARACTERS:
        raise WeakSigningKey("JWT_SECRET repeats a few characters: generate a random one")


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

"""The check that refuses a signing key anyone could know or guess."""

from __future__ import annotations

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

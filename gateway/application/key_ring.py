"""The keys access tokens are signed with, each named by a `kid` (RFC 7515 §4.1.4).

Several keys are accepted at once so that a key can be replaced without signing anyone out:
a token names the key it was signed with, and is checked with that key only. One key signs:
`JWT_SIGNING_KID`, or else the first (newest) of `JWT_KEYS`, or else `JWT_SECRET`.

Rotation, with several gateway replicas:
1. add the new key to `JWT_KEYS` *after* the current one, or with `JWT_SIGNING_KID` still
   naming the current one, on every replica (all accept it, none signs with it yet);
2. make it the signing key (first in `JWT_KEYS`, or name it in `JWT_SIGNING_KID`);
3. once the access-token lifetime has passed, drop the old key.
A replica that signed with a key the others do not know yet would have its tokens refused by
them, which is why step 1 comes first.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.application.signing_key import WeakSigningKey, check_signing_key

# The kid of JWT_SECRET: the single key every deployment had before key rings.
DEFAULT_KID = "default"
KID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    secret: str

    def __repr__(self) -> str:  # never the secret, should a key end up in a log line
        return f"SigningKey(kid={self.kid!r})"


class KeyRing:
    def __init__(self, keys: Sequence[SigningKey], signing_kid: str | None = None) -> None:
        if not keys:
            raise WeakSigningKey(
                "no signing key: set JWT_SECRET (or JWT_KEYS) to at least 32 random bytes, "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        self._keys = {k.kid: k for k in keys}
        if len(self._keys) != len(keys):
            raise WeakSigningKey("JWT_KEYS names one kid twice: give every key its own kid")
        kid = signing_kid or keys[0].kid
        if kid not in self._keys:
            raise WeakSigningKey(f"JWT_SIGNING_KID {kid!r} is not one of the configured keys")
        self.signing = self._keys[kid]

    def holds(self, secret: str) -> bool:
        """Whether `secret` is one of the ring's keys (another key must never be one)."""
        return any(hmac.compare_digest(k.secret, secret) for k in self._keys.values())

    @classmethod
    def single(cls, secret: str, kid: str = DEFAULT_KID) -> KeyRing:
        return cls([SigningKey(kid, secret)])

    def get(self, kid: object) -> SigningKey | None:
        return self._keys.get(kid) if isinstance(kid, str) else None

    @property
    def kids(self) -> list[str]:
        return list(self._keys)


def parse_keys(text: str) -> list[SigningKey]:
    """`kid:secret` entries separated by commas, newest first (secrets hold no comma)."""
    keys = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        kid, sep, secret = entry.partition(":")
        if not sep or not KID.match(kid):
            # Never echo the entry: it holds a secret.
            raise WeakSigningKey(
                "JWT_KEYS must be `kid:secret` entries separated by commas, each kid of "
                "letters, digits, `.`, `_` or `-`"
            )
        keys.append(SigningKey(kid, secret.strip()))
    return keys


def key_ring(jwt_secret: str, jwt_keys: str = "", signing_kid: str = "") -> KeyRing:
    """The ring of the settings: JWT_KEYS (newest first), then JWT_SECRET as kid `default`.
    Every key must pass check_signing_key; the message names the kid, never the key."""
    keys = parse_keys(jwt_keys)
    if not keys:
        check_signing_key(jwt_secret)  # raises for an empty or weak one, saying how to fix it
    if jwt_secret:
        keys.append(SigningKey(DEFAULT_KID, jwt_secret))
    for key in keys:
        try:
            check_signing_key(key.secret)
        except WeakSigningKey as weak:
            if key.kid == DEFAULT_KID and key.secret == jwt_secret:
                raise
            raise WeakSigningKey(f"JWT_KEYS key {key.kid!r}: {weak}") from None
    return KeyRing(keys, signing_kid or None)

"""Passwords are hashed for real; access tokens are signed with a key of a ring, name the
key (`kid`) and the session (`sid`), and expire."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.application.key_ring import DEFAULT_KID, KeyRing, SigningKey, key_ring, parse_keys
from gateway.application.tokens import (
    TokenClaims,
    Tokens,
    WeakSigningKey,
    hash_password,
    verify_nobody,
    verify_password,
)

OLD, NEW = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
CLAIMS = TokenClaims("u1", "manager", "manager", "s1")


def test_password_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("demo")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "demo")
    assert not verify_password(hashed, "Demo")
    assert not verify_password("not-a-hash", "demo")
    assert not verify_nobody("demo")


def test_a_token_round_trips_its_claims_and_names_its_key() -> None:
    tokens = Tokens(KeyRing.single(OLD))
    token = tokens.issue(CLAIMS)
    assert tokens.read(token) == CLAIMS
    assert jwt.get_unverified_header(token)["kid"] == DEFAULT_KID


def test_expired_tampered_or_foreign_tokens_are_refused() -> None:
    tokens = Tokens(KeyRing.single(OLD), ttl=timedelta(minutes=5))
    old = tokens.issue(CLAIMS, now=datetime.now(UTC) - timedelta(hours=1))
    assert tokens.read(old) is None
    good = tokens.issue(CLAIMS)
    assert tokens.read(good[:-2] + ("AA" if not good.endswith("AA") else "BB")) is None
    assert Tokens(KeyRing.single(NEW)).read(good) is None
    assert tokens.read("garbage") is None


def test_a_token_without_a_kid_or_a_session_is_refused() -> None:
    tokens = Tokens(KeyRing.single(OLD))
    now = datetime.now(UTC)
    body = {"sub": "u1", "username": "m", "role": "manager", "iat": now}
    exp = now + timedelta(minutes=5)
    no_kid = jwt.encode({**body, "sid": "s1", "exp": exp}, OLD, algorithm="HS256")
    no_sid = jwt.encode({**body, "exp": exp}, OLD, algorithm="HS256", headers={"kid": "default"})
    assert tokens.read(no_kid) is None  # as every token before session ids had
    assert tokens.read(no_sid) is None


def test_rotation_the_new_key_signs_and_the_old_ones_tokens_still_pass_until_dropped() -> None:
    before = Tokens(key_ring(OLD))  # JWT_SECRET only, as every deployment started
    issued_before = before.issue(CLAIMS)

    # Step 1: the new key is known everywhere, the old one still signs.
    staged = Tokens(key_ring(OLD, f"k2:{NEW}", signing_kid=DEFAULT_KID))
    assert jwt.get_unverified_header(staged.issue(CLAIMS))["kid"] == DEFAULT_KID
    # Step 2: the new key signs; tokens of the old one are still accepted.
    rotated = Tokens(key_ring(OLD, f"k2:{NEW}"))
    issued_after = rotated.issue(CLAIMS)
    assert jwt.get_unverified_header(issued_after)["kid"] == "k2"
    assert rotated.read(issued_before) == CLAIMS
    assert staged.read(issued_after) == CLAIMS  # a replica still at step 1 accepts it
    # Step 3: the old key is dropped; its tokens are refused, the new key's are not.
    done = Tokens(key_ring("", f"k2:{NEW}"))
    assert done.read(issued_before) is None
    assert done.read(issued_after) == CLAIMS


def test_a_token_naming_a_known_kid_but_signed_with_another_key_is_refused() -> None:
    ring = key_ring("", f"a:{OLD},b:{NEW}")
    forged = Tokens(KeyRing([SigningKey("b", OLD)])).issue(CLAIMS)  # kid b, key of a
    assert Tokens(ring).read(forged) is None


def test_the_key_ring_is_read_newest_first_and_refuses_bad_entries() -> None:
    assert [k.kid for k in parse_keys(f" k2:{NEW} , k1:{OLD} ")] == ["k2", "k1"]
    assert key_ring(OLD, f"k2:{NEW}").kids == ["k2", DEFAULT_KID]
    with pytest.raises(WeakSigningKey, match="kid:secret"):
        parse_keys(NEW)  # no kid
    with pytest.raises(WeakSigningKey, match="'weak'"):
        key_ring(OLD, "weak:short")
    with pytest.raises(WeakSigningKey, match="twice"):
        key_ring("", f"a:{OLD},a:{NEW}")
    with pytest.raises(WeakSigningKey, match="JWT_SIGNING_KID"):
        key_ring(OLD, signing_kid="nope")
    with pytest.raises(WeakSigningKey, match="JWT_SECRET is empty"):
        key_ring("", "")


def test_a_signing_key_never_shows_its_secret() -> None:
    assert OLD not in repr(SigningKey("k", OLD))
    assert OLD not in repr(KeyRing.single(OLD).signing)

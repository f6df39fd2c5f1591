"""Passwords are hashed for real; tokens are signed and expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.application.tokens import TokenClaims, Tokens, hash_password, verify_password

SECRET = "s" * 40


def test_password_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("demo")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "demo")
    assert not verify_password(hashed, "Demo")
    assert not verify_password("not-a-hash", "demo")


def test_a_token_round_trips_its_claims() -> None:
    tokens = Tokens(SECRET)
    claims = TokenClaims("u1", "manager", "manager")
    assert tokens.read(tokens.issue(claims)) == claims


def test_expired_tampered_or_foreign_tokens_are_refused() -> None:
    tokens = Tokens(SECRET, ttl=timedelta(minutes=5))
    old = tokens.issue(
        TokenClaims("u1", "m", "manager"), now=datetime.now(UTC) - timedelta(hours=1)
    )
    assert tokens.read(old) is None
    good = tokens.issue(TokenClaims("u1", "m", "manager"))
    assert tokens.read(good[:-2] + ("AA" if not good.endswith("AA") else "BB")) is None
    assert Tokens("x" * 40).read(good) is None
    assert tokens.read("garbage") is None

"""The gateway refuses a JWT signing key that anyone could know or guess (issue 11): whoever
has the key can sign a token with any role. The process itself must not start with one."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest

from deploy.local.layout import REPO_ROOT
from gateway.application.tokens import WeakSigningKey, check_signing_key
from gateway.bootstrap import Settings, build

PUBLISHED = [
    "oms-dev-jwt-secret-not-for-production",  # the dev overlay's committed value
    "CHANGE-ME",  # the production example's
    "changeme",
    "secret",
    "previous-release-fixtures",
    "CHANGE-ME-" + secrets.token_urlsafe(32),  # a placeholder padded out is still one
    "your_256_bit_secret",
]


@pytest.mark.parametrize("key", PUBLISHED)
def test_a_published_placeholder_is_refused(key: str) -> None:
    with pytest.raises(WeakSigningKey, match="JWT_SECRET"):
        check_signing_key(key)


@pytest.mark.parametrize(
    "key", ["", "x", secrets.token_hex(15), "s" * 40, "ab" * 20], ids=lambda k: f"{len(k)}"
)
def test_an_empty_short_or_repetitive_key_is_refused(key: str) -> None:
    with pytest.raises(WeakSigningKey):
        check_signing_key(key)


@pytest.mark.parametrize(
    "key", [secrets.token_urlsafe(32), secrets.token_hex(16), secrets.token_urlsafe(48)]
)
def test_a_random_key_of_32_bytes_or_more_is_taken(key: str) -> None:
    check_signing_key(key)


def test_the_message_never_contains_the_key() -> None:
    key = "my-own-short-key"
    with pytest.raises(WeakSigningKey) as refused:
        check_signing_key(key)
    assert key not in str(refused.value)


def test_build_refuses_a_weak_key_before_touching_anything() -> None:
    with pytest.raises(WeakSigningKey):
        build(Settings(jwt_secret="CHANGE-ME", database_url="postgresql://nowhere:1/x"))


@pytest.mark.parametrize("key", ["", "oms-dev-jwt-secret-not-for-production"], ids=["empty", "dev"])
def test_the_gateway_process_refuses_to_start_with_a_weak_key(key: str) -> None:
    env = {
        **os.environ,
        "JWT_SECRET": key,
        "PYTHONPATH": str(REPO_ROOT),
        # Nothing listens there: the process must stop before it tries to connect anywhere.
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none",
        "PORT": "9",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gateway"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    refusals = [line for line in lines if line["level"] == "CRITICAL"]
    assert refusals, done.stdout[-2000:]
    assert "refusing to start" in refusals[0]["msg"]
    assert "JWT_SECRET" in refusals[0]["msg"]
    if key:
        assert key not in done.stdout + done.stderr


def test_the_internal_key_may_not_be_a_users_signing_key() -> None:
    # Every service holds INTERNAL_SIGNING_KEY (plumbing/actor.py): as a JWT key it would let
    # any service mint a user's login.
    key = secrets.token_urlsafe(48)
    with pytest.raises(WeakSigningKey, match="INTERNAL_SIGNING_KEY"):
        build(Settings(jwt_secret=key, internal_signing_key=key))

"""The local push endpoint's VAPID check (tests/push_endpoint.py) refuses what a push
service refuses, so the channel's integration tests prove a real signature."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from services.notifications.adapters.webpush import b64url_decode, generate_vapid_keys
from tests.push_endpoint import VapidRefused, check_vapid

PRIVATE, PUBLIC = generate_vapid_keys()
ORIGIN = "https://push.example.net"
NOW = time.time()


def header(claims: dict[str, object], private: str = PRIVATE) -> str:
    return str(Vapid02.from_string(private).sign(claims)["Authorization"])


def good() -> dict[str, object]:
    return {"aud": ORIGIN, "exp": int(NOW) + 3600, "sub": "mailto:ops@oms.example.ru"}


def test_a_good_header_gives_its_claims() -> None:
    assert check_vapid(header(good()), PUBLIC, ORIGIN, NOW)["aud"] == ORIGIN


def test_a_signature_by_another_key_claiming_ours_is_refused() -> None:
    other_private, _ = generate_vapid_keys()
    forged = header(good(), other_private).split(",k=")[0] + f",k={PUBLIC}"
    with pytest.raises(VapidRefused, match="bad JWT"):
        check_vapid(forged, PUBLIC, ORIGIN, NOW)


def test_a_tampered_token_is_refused() -> None:
    token = header(good()).split("t=")[1].split(",")[0]
    head, body, sig = token.split(".")
    tampered_claims = jwt.utils.base64url_encode(
        b'{"aud":"https://push.example.net","exp":9999999999,"sub":"mailto:a@b.c"}'
    ).decode()
    with pytest.raises(VapidRefused, match="bad JWT"):
        check_vapid(f"vapid t={head}.{tampered_claims}.{sig},k={PUBLIC}", PUBLIC, ORIGIN, NOW)
    assert body  # the original body was replaced, not dropped


def test_another_key_than_the_subscriptions_is_refused() -> None:
    other_private, _ = generate_vapid_keys()
    with pytest.raises(VapidRefused, match="not the key"):
        check_vapid(header(good(), other_private), PUBLIC, ORIGIN, NOW)


def test_the_wrong_audience_is_refused() -> None:
    with pytest.raises(VapidRefused, match="bad JWT"):
        check_vapid(header(good()), PUBLIC, "https://other.example.net", NOW)


def test_an_expired_token_or_one_too_far_ahead_is_refused() -> None:
    with pytest.raises(VapidRefused, match="bad JWT"):
        check_vapid(header({**good(), "exp": int(NOW) - 60}), PUBLIC, ORIGIN, NOW)
    with pytest.raises(VapidRefused, match="24 hours"):
        check_vapid(header({**good(), "exp": int(NOW) + 25 * 3600}), PUBLIC, ORIGIN, NOW)


def test_a_missing_contact_is_refused() -> None:
    key = ec.derive_private_key(int.from_bytes(b64url_decode(PRIVATE), "big"), ec.SECP256R1())
    token = jwt.encode({"aud": ORIGIN, "exp": int(NOW) + 60}, key, algorithm="ES256")
    with pytest.raises(VapidRefused, match="sub"):
        check_vapid(f"vapid t={token},k={PUBLIC}", PUBLIC, ORIGIN, NOW)


def test_not_a_vapid_header_is_refused() -> None:
    with pytest.raises(VapidRefused):
        check_vapid("Bearer abc", PUBLIC, ORIGIN, NOW)

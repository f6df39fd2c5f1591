"""The push and Telegram routes through the gateway on the running system: a device's
subscription is the caller's own and idempotent, bad subscriptions are refused with a code,
the VAPID key is the data folder's, and Telegram says plainly when no bot is configured."""

from __future__ import annotations

import base64
import os

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from deploy.local.layout import load_secrets
from deploy.local.stack import Stack
from tests.e2e.conftest import login


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def device() -> dict[str, object]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{_b64(os.urandom(12))}",
        "keys": {"p256dh": _b64(point), "auth": _b64(os.urandom(16))},
    }


async def test_the_vapid_key_is_the_data_folders(api: httpx.AsyncClient, stack: Stack) -> None:
    head = await login(api, "installer")
    reply = await api.get("/api/v1/push/vapid-public-key", headers=head)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"public_key": load_secrets(stack.data_dir).vapid_public_key}
    assert (await api.get("/api/v1/push/vapid-public-key")).status_code == 401


async def test_a_subscription_is_idempotent_and_removable_only_by_its_owner(
    api: httpx.AsyncClient,
) -> None:
    installer = await login(api, "installer")
    measurer = await login(api, "measurer")
    sub = device()
    first = await api.post("/api/v1/push/subscriptions", json=sub, headers=installer)
    assert first.status_code == 201, first.text
    again = await api.post("/api/v1/push/subscriptions", json=sub, headers=installer)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    gone = {"endpoint": sub["endpoint"]}
    other = await api.request("DELETE", "/api/v1/push/subscriptions", json=gone, headers=measurer)
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    mine = await api.request("DELETE", "/api/v1/push/subscriptions", json=gone, headers=installer)
    assert mine.status_code == 200, mine.text
    twice = await api.request("DELETE", "/api/v1/push/subscriptions", json=gone, headers=installer)
    assert twice.status_code == 404


async def test_bad_subscriptions_are_refused_with_a_code(api: httpx.AsyncClient) -> None:
    head = await login(api, "manager")
    good = device()
    keys = good["keys"]
    assert isinstance(keys, dict)
    bad = [
        {**good, "endpoint": "http://10.0.0.5/internal"},  # not https: never pushed to
        {**good, "endpoint": "https://10.0.0.5/internal"},  # not a push service
        {**good, "endpoint": "https://fcm.googleapis.com.evil.example/x"},
        {**good, "keys": {**keys, "p256dh": _b64(b"\x05" + os.urandom(64))}},  # not a point
        {**good, "keys": {**keys, "auth": _b64(os.urandom(8))}},
        {"endpoint": good["endpoint"]},
        {**good, "extra": 1},
    ]
    for body in bad:
        reply = await api.post("/api/v1/push/subscriptions", json=body, headers=head)
        assert reply.status_code == 422, (body, reply.text)
        assert reply.json()["code"]


async def test_telegram_without_a_bot_says_so(api: httpx.AsyncClient) -> None:
    head = await login(api, "installer")
    reply = await api.post("/api/v1/telegram/link-code", headers=head)
    assert reply.status_code == 404
    assert reply.json()["code"] == "channel_not_configured"

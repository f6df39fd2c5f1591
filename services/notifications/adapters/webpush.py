"""The Web Push channel: VAPID (RFC 8292) and aes128gcm-encrypted payloads (RFC 8291).

Built on `py_vapid` (the VAPID JWT) and `http_ece` (the encryption), the two libraries
`pywebpush` itself is made of, and sent with httpx: pywebpush posts with the blocking
`requests`, which would stall the event loop (or need a thread per push) in this asyncio
service, and it hides the response we map to Sent/Retry/Gone/Failed.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from urllib.parse import urlsplit

import asyncpg
import http_ece
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from services.notifications.adapters import push_store, retry_after
from services.notifications.application.channels import (
    Failed,
    Gone,
    Outcome,
    Outgoing,
    Retry,
    Sent,
)
from services.notifications.domain.channel_payloads import absolute, push_headers, push_payload

# RFC 8292: the JWT's exp at most 24 h ahead; 12 h leaves room for clock skew.
JWT_LIFETIME_S = 12 * 3600


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def generate_vapid_keys() -> tuple[str, str]:
    """(private, public): the private scalar (32 bytes) and the uncompressed public point
    (65 bytes), URL-safe base64, the form `web-push generate-vapid-keys` prints and a
    browser's `applicationServerKey` takes."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(private), b64url(public)


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """RFC 8291 with a fresh sender key and salt per message (the header carries both)."""
    sender = ec.generate_private_key(ec.SECP256R1())
    return bytes(
        http_ece.encrypt(
            payload,
            salt=os.urandom(16),
            private_key=sender,
            dh=b64url_decode(p256dh),
            auth_secret=b64url_decode(auth),
            version="aes128gcm",
        )
    )


class WebPushChannel:
    name = "webpush"

    def __init__(
        self,
        pool: asyncpg.Pool,
        vapid_private_key: str,
        vapid_subject: str,
        site_url: str,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if not vapid_subject.startswith(("mailto:", "https://")):
            # RFC 8292 section 2.1: push services refuse a JWT without a contact.
            raise ValueError("VAPID_SUBJECT must be a mailto: or https: URI")
        self._pool = pool
        self._vapid = Vapid02.from_string(vapid_private_key)
        self._subject = vapid_subject
        self._site_url = site_url
        self._client = client or httpx.AsyncClient(timeout=15.0)

    def _authorization(self, endpoint: str) -> str:
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + JWT_LIFETIME_S,
            "sub": self._subject,
        }
        return str(self._vapid.sign(claims)["Authorization"])

    async def send(self, message: Outgoing) -> Outcome:
        try:
            subscription_id = uuid.UUID(message.address)
        except ValueError:
            return Failed(f"not a push subscription id: {message.address!r}")
        async with self._pool.acquire() as conn:
            subscription = await push_store.get(conn, subscription_id)
        if subscription is None:
            return Gone("the push subscription was removed")
        if subscription.user_id != message.user_id:
            # The device was signed into by someone else who subscribed it since this was
            # queued: their device now, not a way to reach the addressee.
            return Gone("the push subscription now belongs to another person")
        payload = push_payload(
            message.title,
            message.body,
            absolute(self._site_url, message.url),
            message.message_id,
        )
        try:
            body = encrypt(
                json.dumps(payload, ensure_ascii=False).encode(),
                subscription.p256dh,
                subscription.auth,
            )
        except (ValueError, TypeError) as bad_keys:
            return Failed(f"the subscription's keys are unusable: {bad_keys}")
        headers = {
            **push_headers(message.message_id, message.urgent),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self._authorization(subscription.endpoint),
        }
        try:
            reply = await self._client.post(subscription.endpoint, content=body, headers=headers)
        except httpx.HTTPError as failure:
            return Retry(f"push service unreachable: {type(failure).__name__}")
        return await self._outcome(reply, subscription_id)

    async def _outcome(self, reply: httpx.Response, subscription_id: uuid.UUID) -> Outcome:
        status = reply.status_code
        if 200 <= status < 300:
            return Sent()
        if status in (404, 410):
            async with self._pool.acquire() as conn:
                await push_store.drop(conn, subscription_id)
            return Gone(f"push service answered {status}: subscription expired")
        if status == 429 or status >= 500:
            after = retry_after.seconds(reply.headers.get("Retry-After"))
            return Retry(f"push service answered {status}", after)
        return Failed(f"push service answered {status}: {reply.text[:200]}")

    async def aclose(self) -> None:
        await self._client.aclose()

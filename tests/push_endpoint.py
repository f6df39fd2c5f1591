"""A local push endpoint for the tests, shaped like a push service (RFC 8030): a device's
subscription is a URL; a POST of an aes128gcm body to it is a push.

Unlike a stub, it checks what a real push service checks, and reads what a browser reads:
the VAPID `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292: an ES256 signature by `k`, `k`
the application server key the subscription was made with, `aud` the endpoint's origin,
`exp` no more than 24 hours ahead, a `sub` contact), then decrypts the body with the
subscription's private key and auth secret (RFC 8291, `http_ece`) and records what it got.
It can answer 410, 429 or 500 on demand, as a real service does for an expired subscription,
rate limiting or an outage.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Request, Response

from tests.local_server import serving

MAX_EXP_AHEAD_S = 24 * 3600


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidRefused(Exception):
    """Why a push service would answer 401/403."""


def check_vapid(
    authorization: str, application_server_key: str, endpoint_origin: str, now: float
) -> dict[str, Any]:
    """The JWT's claims if `authorization` is a valid VAPID header for this origin; raises
    VapidRefused saying why not."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidRefused(f"not a vapid authorization: {scheme!r}")
    parts = dict(item.strip().split("=", 1) for item in params.split(",") if "=" in item.strip())
    token, key = parts.get("t"), parts.get("k")
    if not token or not key:
        raise VapidRefused("t= and k= are required")
    if key != application_server_key:
        raise VapidRefused("k is not the key the subscription was made with")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(key))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=["ES256"],
            audience=endpoint_origin,
            options={"require": ["aud", "exp", "sub"]},
        )
    except jwt.InvalidTokenError as bad:
        raise VapidRefused(f"bad JWT: {bad}") from None
    if claims["exp"] > now + MAX_EXP_AHEAD_S:
        raise VapidRefused("exp more than 24 hours ahead")
    if not str(claims["sub"]).startswith(("mailto:", "https:")):
        raise VapidRefused("sub is not a mailto: or https: contact")
    return claims


@dataclass
class Device:
    """A browser's side of a subscription: its ECDH key and auth secret."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return _b64(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth_secret(self) -> str:
        return _b64(self.auth)


@dataclass
class Received:
    device: str
    headers: dict[str, str]
    payload: dict[str, Any]
    claims: dict[str, Any]


class PushEndpoint:
    def __init__(self, application_server_key: str) -> None:
        self.key = application_server_key
        self.url = ""
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        # The next answers to give, per device path: (status, headers); then 201 again.
        self.answers: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.app = FastAPI()
        self.app.add_api_route("/push/{device}", self._push, methods=["POST"])

    def new_device(self) -> tuple[str, Device]:
        """(endpoint URL, device) for a new subscription."""
        device = Device(path=_b64(os.urandom(12)))
        self.devices[device.path] = device
        return f"{self.url}/push/{device.path}", device

    def answer_next(self, device: Device, status: int, **headers: str) -> None:
        self.answers.setdefault(device.path, []).append((status, headers))

    async def _push(self, device: str, request: Request) -> Response:
        known = self.devices.get(device)
        if known is None:
            return Response(status_code=404)
        try:
            claims = check_vapid(
                request.headers.get("authorization", ""), self.key, self.url, time.time()
            )
        except VapidRefused as why:
            self.refused.append(str(why))
            return Response(str(why), status_code=403)
        if request.headers.get("content-encoding") != "aes128gcm":
            self.refused.append("content-encoding")
            return Response("aes128gcm required", status_code=415)
        if "ttl" not in request.headers:
            return Response("TTL required", status_code=400)
        queued = self.answers.get(device) or []
        if queued:
            status, headers = queued.pop(0)
            return Response(status_code=status, headers=headers)
        plain = http_ece.decrypt(
            await request.body(),
            private_key=known.private_key,
            auth_secret=known.auth,
            version="aes128gcm",
        )
        self.received.append(Received(device, dict(request.headers), json.loads(plain), claims))
        return Response(status_code=201, headers={"Location": f"{self.url}/m/{len(self.received)}"})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[PushEndpoint]:
        async with serving(self.app, "the push endpoint") as url:
            self.url = url
            yield self

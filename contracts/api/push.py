"""Web Push subscriptions and Telegram linking (API.md, Notifications: channels).

A device's push subscription is what the browser's PushManager.subscribe() returns
(`PushSubscription.toJSON()`: endpoint and keys); the server pushes to the endpoint, so it
is https only (a push service's URL), never a plain-http address inside the network.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from pydantic import AfterValidator, Field

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Input, Timestamp

_B64URL = r"^[A-Za-z0-9_-]+={0,2}$"


def _raw(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("expected URL-safe base64") from None


def _p256_point(text: str) -> str:
    raw = _raw(text)
    if len(raw) != 65 or raw[0] != 4:
        raise ValueError("expected an uncompressed P-256 public key (65 bytes)")
    return text


def _auth_secret(text: str) -> str:
    if len(_raw(text)) != 16:
        raise ValueError("expected a 16-byte auth secret")
    return text


class PushKeys(Input):
    p256dh: Annotated[
        str,
        Field(pattern=_B64URL, min_length=86, max_length=90, description="the browser's key"),
        AfterValidator(_p256_point),
    ]
    auth: Annotated[
        str,
        Field(pattern=_B64URL, min_length=22, max_length=24, description="the auth secret"),
        AfterValidator(_auth_secret),
    ]


Endpoint = Annotated[
    str,
    Field(
        pattern=r"^https://[^\s/?#]+[^\s]*$",
        min_length=10,
        max_length=2000,
        description="the push service's URL for this device (https)",
    ),
]


class PushSubscriptionIn(Input):
    endpoint: Endpoint
    keys: PushKeys


class PushUnsubscribe(Input):
    endpoint: Endpoint


class PushSubscribed(Shown):
    id: Id
    endpoint: str
    created: bool | None = None


SUBSCRIBED = Views.of(PushSubscribed)


class PushRemoved(Shown):
    status: str


REMOVED = Views.of(PushRemoved)


class VapidPublicKey(Shown):
    public_key: str = Field(description="the applicationServerKey for PushManager.subscribe()")


VAPID_KEY = Views.of(VapidPublicKey)


class TelegramLinkCode(Shown):
    code: str
    deep_link: str = Field(description="https://t.me/<bot>?start=<code>: opens the bot")
    expires_at: Timestamp


LINK_CODE = Views.of(TelegramLinkCode)

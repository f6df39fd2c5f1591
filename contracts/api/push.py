"""Web Push subscriptions and Telegram linking (API.md, Notifications: channels).

A device's push subscription is what the browser's PushManager.subscribe() returns
(`PushSubscription.toJSON()`: endpoint and keys); the server pushes to the endpoint, so it
is https only (a push service's URL), never a plain-http address inside the network.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Input, Timestamp

# The push services browsers use (Chrome/Edge/Opera: FCM; Firefox: Mozilla; Safari: Apple;
# Windows: WNS): the server posts to a subscription's endpoint, so the API takes only these
# hosts and their subdomains, never an address inside the network. The notifications
# service checks the same list (PUSH_SERVICE_HOSTS may narrow it).
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)
_HOSTS = "|".join(h.replace(".", r"\.") for h in PUSH_SERVICE_HOSTS)


class PushKeys(Input):
    # The shapes, exactly (unpadded URL-safe base64, as PushSubscription.toJSON() gives):
    # 65 bytes starting 0x04 (an uncompressed P-256 point) read "B", then one of A-P.
    p256dh: str = Field(
        pattern=r"^B[A-P][A-Za-z0-9_-]{85}$", description="the browser's P-256 public key"
    )
    auth: str = Field(pattern=r"^[A-Za-z0-9_-]{22}$", description="the 16-byte auth secret")


Endpoint = Annotated[
    str,
    Field(
        pattern=rf"^https://([a-z0-9-]+\.)*({_HOSTS})/[^\s]*$",
        max_length=2000,
        description="the push service's URL for this device (a browser push service, https)",
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

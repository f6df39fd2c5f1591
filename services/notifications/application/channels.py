"""The port every delivery channel implements (in-app, Web Push, e-mail, Telegram, and SMS
to customers).

A notice is decided once (who hears what: application/apply.py) and then delivered through each
channel the person has enabled, from an outbox per channel. A channel only sends one message to
one address and says how it went; retries, back-off, parking and preferences live in the
outbox, so every channel gets them the same way and a slow one never blocks the consumers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Outgoing:
    """One message to one address of one person."""

    # Stable for the same notice on the same channel and address: the Message-ID of an e-mail,
    # the Topic of a push, so a resend after a crash between "accepted" and "recorded" can be
    # recognised as the same message.
    message_id: str
    user_id: UUID | None  # None: a customer (an SMS), who is no user of the system
    # What the channel needs to reach the person: an e-mail address, a push subscription's id
    # (the adapter looks up its endpoint and keys), a Telegram chat id.
    address: str
    title: str  # short, in the person's language (Russian by default)
    body: str
    url: str  # a link to the order (or the screen) the message is about
    urgent: bool = False  # sent in quiet hours too; a push with Urgency: high


@dataclass(frozen=True)
class Sent:
    """The server accepted the message."""


@dataclass(frozen=True)
class Retry:
    """A passing failure (timeout, 5xx, 429): try again after `after_s` seconds at the earliest."""

    reason: str
    after_s: float | None = None  # a Retry-After the server gave; None: the outbox's back-off


@dataclass(frozen=True)
class Gone:
    """The address no longer exists (a push subscription answered 404/410, a Telegram chat
    blocked the bot): drop it, do not retry."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """A permanent refusal of this message (a malformed address, 4xx other than the above):
    park it for an admin to see."""

    reason: str


Outcome = Sent | Retry | Gone | Failed


class Channel(Protocol):
    name: str  # "inapp" | "webpush" | "email" | "telegram" | "sms" (to customers)

    async def send(self, message: Outgoing) -> Outcome: ...

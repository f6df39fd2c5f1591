"""What the Web Push and Telegram channels put on the wire, as pure functions of a message.

Only the message's title, body and link ever leave: no field of an order is copied here, so
what a person is told is exactly the short text the notice was decided with (which, for a
field role, carries no commercial value: tests/unit/test_channel_payloads.py).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urljoin

# RFC 8030 section 5.4: a Topic is at most 32 characters of the URL-safe base64 alphabet.
TOPIC_LENGTH = 32
# How long a push service keeps an undelivered push (RFC 8030 TTL): a notice older than a
# day is stale news; the in-app inbox still has it.
PUSH_TTL_S = 24 * 3600
# Telegram's sendMessage takes at most 4096 characters of text.
TELEGRAM_TEXT_LIMIT = 4096

OPEN_ORDER = {"ru": "Открыть", "en": "Open"}


def push_topic(message_id: str) -> str:
    """A Topic for the message id: the same message replaces itself at the push service
    instead of arriving twice (a resend after a crash), and any id fits the alphabet."""
    digest = hashlib.sha256(message_id.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOPIC_LENGTH]


def absolute(site_url: str, url: str) -> str:
    """A message's link as an absolute URL on the site (a notice's links are paths)."""
    return urljoin(site_url.rstrip("/") + "/", url.lstrip("/")) if url.startswith("/") else url


def push_payload(title: str, body: str, url: str, tag: str) -> dict[str, str]:
    """The JSON the service worker (web/src/sw.ts) shows: it opens `url` on a click and
    replaces an earlier notification with the same `tag`."""
    return {"title": title, "body": body, "url": url, "tag": tag}


def push_headers(message_id: str, urgent: bool) -> dict[str, str]:
    return {
        "TTL": str(PUSH_TTL_S),
        "Topic": push_topic(message_id),
        "Urgency": "high" if urgent else "normal",
    }


def telegram_text(title: str, body: str) -> str:
    text = f"{title}\n{body}" if body else title
    return text if len(text) <= TELEGRAM_TEXT_LIMIT else text[: TELEGRAM_TEXT_LIMIT - 1] + "…"


def telegram_send_message(
    chat_id: str, title: str, body: str, url: str, lang: str = "ru"
) -> dict[str, Any]:
    """A Bot API sendMessage request: the text and one inline button opening the order."""
    return {
        "chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
        "text": telegram_text(title, body),
        "link_preview_options": {"is_disabled": True},
        "reply_markup": {
            "inline_keyboard": [[{"text": OPEN_ORDER.get(lang, OPEN_ORDER["ru"]), "url": url}]]
        },
    }

"""What the Web Push and Telegram channels put on the wire (pure parts): the service worker's
JSON, the push headers, the Bot API request as the recorded shapes say, and nothing
commercial in what a field role is sent."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES, gate_condition_visible
from services.notifications.adapters import retry_after
from services.notifications.adapters.telegram import start_code
from services.notifications.domain import messages
from services.notifications.domain.channel_payloads import (
    TELEGRAM_TEXT_LIMIT,
    absolute,
    push_headers,
    push_payload,
    push_topic,
    telegram_send_message,
)
from services.notifications.entrypoints.channels_http import known_push_service
from tests.fake_telegram import fixture

SITE = "https://oms.example.ru"


@given(st.text(min_size=0, max_size=300))
def test_a_topic_is_at_most_32_url_safe_characters_and_stable(message_id: str) -> None:
    topic = push_topic(message_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic)
    assert push_topic(message_id) == topic


def test_different_messages_get_different_topics() -> None:
    assert push_topic("visit-booked:1:webpush") != push_topic("visit-booked:2:webpush")


def test_push_headers_say_ttl_topic_and_urgency() -> None:
    assert push_headers("m1", urgent=True) == {
        "TTL": "86400",
        "Topic": push_topic("m1"),
        "Urgency": "high",
    }
    assert push_headers("m1", urgent=False)["Urgency"] == "normal"


def test_the_push_payload_is_what_the_service_worker_shows() -> None:
    assert push_payload("Т", "Б", f"{SITE}/orders/1", "m1") == {
        "title": "Т",
        "body": "Б",
        "url": f"{SITE}/orders/1",
        "tag": "m1",
    }


def test_links_become_absolute_on_the_site() -> None:
    assert absolute(SITE, "/orders/7") == f"{SITE}/orders/7"
    assert absolute(SITE + "/", "/orders/7") == f"{SITE}/orders/7"
    assert absolute(SITE, "https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_our_send_message_is_the_recorded_request_and_fits_its_documented_shape() -> None:
    recorded = fixture("sendMessage")
    built = telegram_send_message(
        "123456789",
        "Замер перенесён на 12.03 10:00",
        "Заказ №42",
        "https://oms.example.ru/orders/42",
    )
    assert built == recorded["request"]
    jsonschema.validate(built, recorded["request_schema"])
    updates = fixture("getUpdates")
    jsonschema.validate(updates["request"], updates["request_schema"])


def test_a_long_text_is_cut_to_telegrams_limit() -> None:
    built = telegram_send_message("1", "З" * 5000, "", f"{SITE}/orders/1")
    assert len(built["text"]) == TELEGRAM_TEXT_LIMIT
    jsonschema.validate(built, fixture("sendMessage")["request_schema"])


def test_start_codes_are_read_from_private_start_commands_only() -> None:
    update = fixture("getUpdates")["response"]["result"][0]
    assert start_code(update) == (123456789, "3q2-7wEjRZ0aFpW1kJc5Lw")
    group = {**update, "message": {**update["message"], "chat": {"id": -1, "type": "group"}}}
    assert start_code(group) is None
    bare = {**update, "message": {**update["message"], "text": "/start"}}
    assert start_code(bare) is None
    other = {**update, "message": {**update["message"], "text": "/help abc"}}
    assert start_code(other) is None
    assert start_code({"update_id": 1, "edited_message": {}}) is None


def test_retry_after_takes_seconds_or_a_date() -> None:
    now = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    assert retry_after.seconds("120", now) == 120.0
    assert retry_after.seconds("Thu, 12 Mar 2026 09:01:00 GMT", now) == 60.0
    assert retry_after.seconds("Thu, 12 Mar 2026 08:00:00 GMT", now) == 0.0
    assert retry_after.seconds("soon", now) is None
    assert retry_after.seconds(None, now) is None


# What a leak would carry (tests/e2e/test_security_sweep.py looks for the same on every route).
AMOUNT = "731904.17"
HIDDEN_KEYS = {"deal", "amount", "price", "discount", "payment_terms", "prepayment"}
HIDDEN_CODES = ("deal_terms_missing", "signed_contract_missing", "documents_missing")


def test_what_a_field_role_is_sent_on_push_and_telegram_carries_nothing_commercial() -> None:
    """The channels send a notice's title, body and link and nothing else of the order, so a
    field role's messages (reminders, mentions, refused moves with the conditions it may
    see) carry no amount, commercial document or deal condition on any channel."""
    refused_codes = [
        c for c in ["measurement_not_done", *HIDDEN_CODES] if gate_condition_visible({"code": c})
    ]
    starts = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    notices = [
        messages.reminder("day_before", "installation", starts, 42, "Asia/Yekaterinburg"),
        messages.reminder("day_of", "measurement", starts, 42, "Europe/Moscow"),
        messages.mentioned("manager", 42, "Поднимитесь на 5 этаж, домофон 12"),
        messages.move_refused(42, "installation", None, [(c, c) for c in refused_codes]),
    ]
    for notice in notices:
        for lang in ("ru", "en"):
            text = notice.text(lang)
            wire = [
                push_payload(text, "", f"{SITE}/orders/1", "m1"),
                telegram_send_message("1", text, "", f"{SITE}/orders/1", lang),
            ]
            for payload in wire:
                dumped = json.dumps(payload, ensure_ascii=False)
                assert AMOUNT not in dumped
                assert AMOUNT.partition(".")[0] not in dumped
                for value in (*COMMERCIAL_DOCUMENT_PURPOSES, *HIDDEN_CODES):
                    assert value not in dumped, (value, dumped)
                assert not HIDDEN_KEYS & _keys(payload)
    assert set(push_payload("t", "b", "u", "m")) == {"title", "body", "url", "tag"}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_only_endpoints_on_the_push_services_are_taken() -> None:
    hosts = ["fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com"]
    assert known_push_service("https://fcm.googleapis.com/fcm/send/abc", hosts)
    assert known_push_service("https://updates.push.services.mozilla.com/wpush/v2/x", hosts)
    assert known_push_service("https://web.push.apple.com/QGx", hosts)
    assert not known_push_service("http://fcm.googleapis.com/fcm/send/abc", hosts)
    assert not known_push_service("https://fcm.googleapis.com.evil.example/x", hosts)
    assert not known_push_service("https://evilfcm.googleapis.com.example/x", hosts)
    assert not known_push_service("https://10.0.0.5/x", hosts)
    assert not known_push_service("https://localhost/x", hosts)

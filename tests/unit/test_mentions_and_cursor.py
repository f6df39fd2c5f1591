"""Mentions notify only whom the gateway cleared; a stream's Last-Event-ID is parsed safely."""

from __future__ import annotations

import pytest

from contracts.envelope import Actor
from contracts.mentions import mentioned_usernames
from gateway.domain.stream_cursor import MAX_POSITION, Cursor, parse_cursor
from services.orders.adapters.memory_event_store import MemoryEventStore, MemoryOrderNumbers
from services.orders.adapters.pipeline_store import MemoryPipelineStore, MemoryUserDirectory
from services.orders.application.pipelines import Pipelines
from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders
from tests.unit.orders_scenario import CUSTOMER, MANAGER

USERS = {"installer": "u-installer", "measurer": "u-measurer", "Director": "u-director"}


async def orders() -> Orders:
    pipelines = Pipelines(MemoryPipelineStore())
    await pipelines.ensure_default()
    return Orders(
        OrderService(MemoryEventStore(), pipelines),
        MemoryOrderNumbers(),
        MemoryUserDirectory(USERS),
    )


async def mentions_of(text: str, notify: list[str] | None, actor: Actor = MANAGER) -> list[str]:
    app = await orders()
    created = await app.create(title="Шкаф", customer=CUSTOMER, description=None, actor=actor)
    assert created.order.id is not None
    outcome = await app.comment(created.order.id, actor, text, notify)
    return [m["username"] for m in outcome.appended[0].data["mentions"]]


def test_mentions_are_distinct_lowercased_and_not_email_addresses() -> None:
    text = "@Installer и @installer, почта ivan@example.ru, @@x, @m, @director, спасибо"
    assert mentioned_usernames(text) == ["director", "installer"]


async def test_only_the_mentions_the_gateway_cleared_are_recorded() -> None:
    text = "@installer @measurer посмотрите"
    assert await mentions_of(text, ["measurer"]) == ["measurer"]


async def test_without_a_cleared_list_nobody_is_mentioned() -> None:
    # A caller that did not check access (not the gateway) must not spread the order's text.
    assert await mentions_of("@installer посмотри", None) == []


async def test_a_cleared_name_not_in_the_text_is_not_a_mention() -> None:
    assert await mentions_of("@installer посмотри", ["installer", "measurer"]) == ["installer"]


async def test_cleared_names_match_case_insensitively() -> None:
    assert await mentions_of("@DIRECTOR глянь", ["director"]) == ["director"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", Cursor(42, None)),
        ("42.7", Cursor(42, 7)),
        (" 0.0 ", Cursor(0, 0)),
        (str(MAX_POSITION), Cursor(MAX_POSITION, None)),
        (f"1.{MAX_POSITION}", Cursor(1, MAX_POSITION)),
    ],
)
def test_a_cursor_resumes_both_feeds_and_an_old_plain_seq_still_works(
    raw: str, expected: Cursor
) -> None:
    assert parse_cursor(raw) == expected
    assert str(expected) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "abc",
        "9" * 5000,  # int() would refuse it (over 4,300 digits): a 500 before
        "9" * 30,  # beyond bigint: the feed would answer 500 on every poll
        str(MAX_POSITION + 1),
        f"1.{MAX_POSITION + 1}",
        "1.2.3",
        "-1",
        "1.",
        "٣",  # a digit, but not an ASCII one
        "\xff\xfe\x80",  # invalid UTF-8 bytes, as Starlette decodes headers (latin-1)
    ],
)
def test_anything_else_is_no_cursor_and_the_stream_starts_from_now(raw: str | None) -> None:
    assert parse_cursor(raw) is None


def test_a_mention_ends_before_the_sentences_full_stop() -> None:
    assert mentioned_usernames("Спасибо, @director. И @ivan-, @o.k_1!") == [
        "director",
        "ivan",
        "o.k_1",
    ]

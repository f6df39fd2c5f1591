"""The SMS.ru adapter against the fake of its API over a real socket (tests/fake_smsru.py
checks every request against the documented shape): each documented answer maps onto the
outbox's outcome — accepted is Sent, a bad number or key is Failed (parked), a busy service,
money, 5xx and timeouts are Retry."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.notifications.adapters.smsru import SmsRuChannel
from services.notifications.application.channels import Failed, Outgoing, Retry, Sent
from tests.fake_smsru import FakeSmsRu

TEXT = "Замерщик приедет завтра с 10:00 до 12:00."


def sms(to: str = "+79151234567") -> Outgoing:
    return Outgoing(
        message_id=str(uuid.uuid4()), user_id=None, address=to, title="", body=TEXT, url=""
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSmsRu]:
    async with FakeSmsRu().running() as running:
        yield running
    assert running.violations == []


@pytest.fixture
async def channel(fake: FakeSmsRu) -> AsyncIterator[SmsRuChannel]:
    made = SmsRuChannel(fake.api_id, fake.url, client=httpx.AsyncClient(timeout=0.5))
    yield made
    await made.aclose()


async def test_an_accepted_message_is_sent_in_the_documented_shape(
    fake: FakeSmsRu, channel: SmsRuChannel
) -> None:
    assert await channel.send(sms()) == Sent()
    assert fake.sent == [{"api_id": fake.api_id, "to": "79151234567", "msg": TEXT, "json": "1"}]


async def test_a_number_without_a_route_is_failed_not_retried(
    fake: FakeSmsRu, channel: SmsRuChannel
) -> None:
    fake.bad_numbers.add("79151234567")
    outcome = await channel.send(sms())
    assert isinstance(outcome, Failed)
    assert "202" in outcome.reason


async def test_an_address_that_is_no_number_never_reaches_the_provider(
    fake: FakeSmsRu, channel: SmsRuChannel
) -> None:
    assert isinstance(await channel.send(sms("позвонить вечером")), Failed)
    assert fake.sent == []


async def test_a_wrong_api_id_is_failed_for_an_admin_to_see() -> None:
    async with FakeSmsRu().running() as fake:
        channel = SmsRuChannel("not-the-key", fake.url)
        outcome = await channel.send(sms())
        await channel.aclose()
    assert isinstance(outcome, Failed)
    assert "200" in outcome.reason


async def test_no_money_server_errors_and_timeouts_are_retried(
    fake: FakeSmsRu, channel: SmsRuChannel
) -> None:
    fake.balance = 0
    assert isinstance(await channel.send(sms()), Retry)
    fake.balance = 10
    fake.http_errors = [502, 503]
    assert isinstance(await channel.send(sms()), Retry)
    assert isinstance(await channel.send(sms()), Retry)
    fake.stall_s = 1.0
    outcome = await channel.send(sms())
    assert isinstance(outcome, Retry)
    assert "time" in outcome.reason
    fake.stall_s = 0
    assert await channel.send(sms()) == Sent()
    assert len(fake.sent) == 1

"""The customer's consent to visit SMS on the order card (issue 20): what was recorded, by whom
and when, and the box for those who edit the customer; a crew member sees no box."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import create_order
from tests.browser.test_card_tasks_gallery_as_of import open_card


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_manager_records_the_customers_consent_and_withdrawal_on_the_card(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    head = bearer(http, "manager")
    order = create_order(http, head, title=f"Дверь {uuid.uuid4().hex[:4]}")
    tab = screen(width=width, role="manager")
    page = tab.page
    open_card(tab, order)
    state = page.get_by_test_id("sms-consent")
    expect(state).to_have_text("клиента не спрашивали — не отправляется")
    box = page.get_by_role("checkbox", name="Клиент согласен получать СМС о визитах")
    expect(box).not_to_be_checked()

    tab.click(box)
    expect(page.get_by_text("Согласие клиента на СМС записано")).to_be_visible()
    expect(state).to_contain_text("клиент согласен")
    expect(state).to_contain_text("(Мария Петрова, ")  # who recorded it, and when
    expect(box).to_be_checked()
    tab.check("sms-consent-given")
    card = http.get(f"/api/v1/orders/{order['id']}", headers=head).json()
    assert card["sms_consent"]["consent"] is True

    tab.click(box)
    expect(state).to_contain_text("клиент отказался — не отправляется")
    expect(box).not_to_be_checked()
    card = http.get(f"/api/v1/orders/{order['id']}", headers=head).json()
    assert card["sms_consent"]["consent"] is False

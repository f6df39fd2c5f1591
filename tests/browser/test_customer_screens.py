"""«Клиенты» (issue 20) at desk and phone width: a manager opens the directory from the
header, finds a customer by a number typed another way than their orders hold it, opens
their page (their orders newest first, their history merged across orders) and follows a
link to an order's card. A field role has no «Клиенты» in its header. Every screen passes
`check`."""

from __future__ import annotations

import random

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import board_card, create_order


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_manager_finds_a_customer_and_their_orders(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    manager = bearer(http, "manager")
    digits = "9" + "".join(random.choices("0123456789", k=9))
    name = f"Клиентова Вера {width}"
    first = create_order(
        http, manager, title="Кухня угловая", name=name, phone=f"+7 {digits[:3]} {digits[3:]}"
    )
    second = create_order(
        http,
        manager,
        title="Шкаф в прихожую",
        name=name,
        phone=f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        address={"city": "Химки", "street": "ул. Ленина", "building": "2"},
    )
    board_card(http, manager, second["id"])

    tab = screen(width=width, role="manager")
    page = tab.page
    nav = page.get_by_role("navigation", name="Разделы")
    tab.click(nav.get_by_role("link", name="Клиенты"))
    expect(page.get_by_role("heading", name="Клиенты")).to_be_visible()
    tab.check("customers")

    # The number as a person would type it from a note: 8, spaces and dashes.
    tab.fill(
        page.get_by_role("searchbox", name="Телефон или имя"),
        f"8 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
    )
    rows = page.get_by_role("list", name="Список клиентов").get_by_role("listitem")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    expect(rows.first).to_contain_text("Заказов: 2")
    expect(page.locator(".customers-screen").get_by_role("status")).to_have_text("Найдено: 1")
    tab.check("customers-found")

    tab.click(rows.first.get_by_role("link", name=name))
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert page.evaluate("() => location.hash") == f"#/customers/7{digits}"
    expect(page.get_by_role("link", name=f"+7{digits}")).to_have_attribute(
        "href", f"tel:+7{digits}"
    )
    orders = page.get_by_role("region", name="Заказы", exact=True).get_by_role("listitem")
    expect(orders).to_have_count(2)
    expect(orders.nth(0)).to_contain_text("Шкаф в прихожую")  # newest first
    expect(orders.nth(1)).to_contain_text("Кухня угловая")
    history = page.get_by_role("region", name="История").get_by_role("listitem")
    # Each order's creation at least, each entry naming its order.
    expect(history.filter(has_text=f"Заказ №{first['number']}").first).to_be_visible()
    expect(history.filter(has_text=f"Заказ №{second['number']}").first).to_be_visible()
    expect(page.get_by_text("Химки, ул. Ленина, 2").first).to_be_visible()
    tab.check("customer-page")

    tab.click(orders.nth(1).get_by_role("link"))
    expect(page.get_by_role("heading", name="Кухня угловая")).to_be_visible()
    assert page.evaluate("() => location.hash") == f"#/order/{first['id']}"


def test_a_field_role_has_no_customers(screen: ScreenFactory) -> None:
    tab = screen(width=PHONE, role="installer")
    page = tab.page
    expect(page.get_by_role("navigation", name="Разделы")).to_be_visible()
    expect(page.get_by_role("link", name="Клиенты")).to_have_count(0)
    tab.goto("/#/customers")
    expect(
        page.get_by_text("Справочник клиентов доступен менеджерам и руководителям")
    ).to_be_visible()

"""Every form of the office's path meets the server's refusals and says them where they belong
(the issue's "done when"): a 409 (stale version) and a 422 (a rule only the server holds: the
longest floor, the longest payment terms) for the new-order form, the customer editor, the
manager picker and the deal terms. The field shows the server's message, nothing is half
saved, and after a conflict what the form shows equals a fresh read. (Booking's slot taken
and refused time are in test_booking.py.)"""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Locator, expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, Screen
from tests.browser.setup import as_user, board_card, board_ready, create_order

TOO_LONG_FLOOR = "третий, вход со двора, за аркой"  # 31 characters; the server takes 20


def order_card(http: httpx.Client, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    reply = http.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert reply.status_code == 200, reply.text
    card: dict[str, Any] = reply.json()
    return card


def open_editor(tab: Screen, order_id: str, summary: str) -> Locator:
    tab.goto(f"/#/order/{order_id}")
    opener = tab.page.locator("details.edit > summary", has_text=summary)
    tab.click(opener)
    return tab.page.locator("details.edit[open]")


def field_error(scope: Locator, label: str) -> Locator:
    """The message under the field labelled `label` (in the same field, tied by aria)."""
    field = scope.locator(".field").filter(has=scope.page.get_by_label(label, exact=True))
    return field.locator(".field-error")


def test_a_new_order_the_server_refuses_is_not_created_and_says_which_field(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    board_ready(http)
    tab = screen(width=DESKTOP, role="manager")
    page = tab.page
    tab.click(page.get_by_role("button", name="Новый заказ"))
    form = page.get_by_role("dialog", name="Новый заказ")
    tab.fill(form.get_by_label("Имя клиента"), "Отказанов Тест")
    tab.fill(form.get_by_label("Телефон"), "+7 916 000-22-33")
    tab.fill(form.get_by_label("Город"), "Москва")
    tab.fill(form.get_by_label("Улица"), "ул. Тихая")
    tab.fill(form.get_by_label("Дом", exact=True), "3")
    tab.fill(form.get_by_label("Этаж"), TOO_LONG_FLOOR)
    tab.fill(form.get_by_label("Что заказывают"), "Шкаф")
    tab.click(form.get_by_role("button", name="Создать заказ"))

    expect(field_error(form, "Этаж")).to_contain_text("не более 20 символов")
    expect(form).to_be_visible()  # the dialog keeps what was typed
    expect(form.get_by_label("Этаж")).to_have_value(TOO_LONG_FLOOR)
    manager = as_user(http, "manager")
    found = http.get("/api/v1/board", headers=manager, params={"q": "Отказанов"}).json()
    assert sum(c["count"] for c in found["columns"]) == 0, "a refused order was created"
    tab.check("new-order-refused")


def test_the_customer_editor_shows_a_conflict_then_the_fresh_card_and_the_servers_refusal(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, name="Ковалёва Нина")
    board_card(http, manager, order["id"])
    tab = screen(width=DESKTOP, role="manager")
    editor = open_editor(tab, order["id"], "Изменить клиента")
    name = editor.get_by_label("Имя клиента", exact=True)
    expect(name).to_have_value("Ковалёва Нина")

    # Someone else renames the customer while the form is open: our save is on a stale card.
    other = http.patch(
        f"/api/v1/orders/{order['id']}/customer",
        headers=manager,
        json={"name": "Ковалёва-Орлова Нина"},
    )
    assert other.status_code == 200, other.text
    tab.fill(name, "Ковалёва Н.")
    tab.click(editor.get_by_role("button", name="Сохранить клиента"))
    expect(
        editor.get_by_role("alert").filter(has_text="только что изменил кто-то другой")
    ).to_be_visible()
    fresh = order_card(http, manager, order["id"])
    assert fresh["customer"]["name"] == "Ковалёва-Орлова Нина", "the stale save changed nothing"
    expect(name).to_have_value(fresh["customer"]["name"])
    expect(editor.locator(".customer-editor")).to_have_attribute(
        "data-version", str(fresh["version"])
    )

    # A floor longer than the server takes: its message under the floor, nothing saved.
    tab.fill(editor.get_by_label("Этаж", exact=True), TOO_LONG_FLOOR)
    tab.click(editor.get_by_role("button", name="Сохранить клиента"))
    expect(field_error(editor, "Этаж")).to_contain_text("не более 20 символов")
    assert order_card(http, manager, order["id"])["version"] == fresh["version"]
    tab.check("customer-editor-refused")


def test_a_manager_reassigned_on_a_stale_card_is_refused_and_the_card_re_read(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, name="Лаптева Ирина")
    board_card(http, manager, order["id"])
    # The director takes the order over while someone else edits it.
    tab = screen(width=DESKTOP, role="director")
    editor = open_editor(tab, order["id"], "Изменить клиента")
    picker = editor.get_by_label("Менеджер", exact=True)
    expect(picker).to_be_visible()

    bumped = http.patch(
        f"/api/v1/orders/{order['id']}/customer", headers=manager, json={"name": "Лаптева И. В."}
    )
    assert bumped.status_code == 200, bumped.text
    director = http.get("/api/v1/me", headers=as_user(http, "director")).json()
    tab.select_option(picker, director["id"])
    tab.click(editor.get_by_role("button", name="Назначить менеджера"))
    expect(editor.get_by_role("alert").filter(has_text="изменил кто-то другой")).to_be_visible()
    fresh = order_card(http, manager, order["id"])
    assert fresh["manager"]["id"] == order["manager"]["id"], (
        "the stale reassignment changed nothing"
    )
    expect(editor.get_by_label("Имя клиента", exact=True)).to_have_value("Лаптева И. В.")
    tab.check("manager-picker-refused")


def test_deal_terms_show_a_conflict_then_the_fresh_terms_and_the_servers_refusal(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, name="Дроздов Илья")
    board_card(http, manager, order["id"])
    terms = {
        "amount": "120000.00",
        "decor": "",
        "finishing": "",
        "extra_work": "",
        "payment_terms": "100% предоплата",
    }
    first = http.put(f"/api/v1/orders/{order['id']}/deal", headers=manager, json=terms)
    assert first.status_code == 200, first.text

    tab = screen(width=DESKTOP, role="manager")
    tab.goto(f"/#/order/{order['id']}")
    form = tab.page.get_by_role("form", name="Условия сделки")
    if not form.is_visible():
        tab.click(tab.page.locator("details.edit > summary", has_text="условия сделки"))
    amount = form.get_by_label("Сумма, ₽")
    expect(amount).to_have_value("120000")

    changed = http.put(
        f"/api/v1/orders/{order['id']}/deal", headers=manager, json={**terms, "amount": "135000.00"}
    )
    assert changed.status_code == 200, changed.text
    tab.fill(form.get_by_label("Условия оплаты"), "50% предоплата")
    tab.click(form.get_by_role("button", name="Сохранить условия"))
    expect(form.get_by_role("alert").filter(has_text="изменил кто-то другой")).to_be_visible()
    fresh = order_card(http, manager, order["id"])
    assert fresh["deal"]["amount"] == "135000.00"
    assert fresh["deal"]["payment_terms"] == "100% предоплата", "the stale save changed nothing"
    expect(amount).to_have_value("135000")
    expect(form.get_by_label("Условия оплаты")).to_have_value("100% предоплата")

    tab.fill(form.get_by_label("Условия оплаты"), "Оплата частями. " * 130)  # 2,080 characters
    tab.click(form.get_by_role("button", name="Сохранить условия"))
    expect(field_error(form, "Условия оплаты")).to_contain_text("не более 2000 символов")
    assert order_card(http, manager, order["id"])["version"] == fresh["version"]
    tab.check("deal-refused")

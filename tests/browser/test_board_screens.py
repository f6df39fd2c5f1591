"""The board as each role that sees orders sees it (admin sees none: its home is the users
screen, tests/browser/test_users_screen.py), at desk and phone width, and the board's dialogs:
the new order form, the gate dialog a refused move opens (reached by keyboard: Space lifts a
card, an arrow carries it to the next stage, Space drops it) and a finger's drag on a phone.
Every screen passes `check`."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import as_user, board_card, board_ready, create_order

WIDTHS = [DESKTOP, PHONE]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["manager", "director", "production", "installer"])
def test_the_board_as_each_role_sees_it(
    screen: ScreenFactory, http: httpx.Client, role: str, width: int
) -> None:
    board_ready(http)
    tab = screen(width=width, role=role)
    if role == "installer":
        tab.goto("/#/board")  # the crew's home is its visits (issue 15); the board is a tap away
    page = tab.page
    expect(page.get_by_role("heading", name="Канбан")).to_be_visible()
    expect(page.get_by_role("region", name="Стадии заказов")).to_be_visible()
    cards = page.locator("a.card[data-order-id]")
    if role in {"manager", "director"}:
        expect(cards.first).to_be_visible()
    # Only the roles that move orders may drag; the amount is for commercial eyes only.
    movable = page.locator("a.card.movable")
    if role in {"manager", "director"}:
        expect(movable.first).to_be_attached()
    else:
        expect(movable).to_have_count(0)
    if role in {"production", "installer"}:
        expect(page.get_by_text("Сумма:")).to_have_count(0)
        expect(page.get_by_role("button", name="Новый заказ")).to_have_count(0)
    tab.check(f"board-{role}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_new_order_form_and_the_filters(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    board_ready(http)
    tab = screen(width=width, role="manager")
    page = tab.page
    tab.click(page.get_by_role("button", name="Просроченные"))
    expect(page.get_by_role("button", name="Просроченные")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert "overdue" in page.evaluate("() => location.hash")
    page.reload()  # filters live in the link
    expect(page.get_by_role("button", name="Просроченные")).to_have_attribute(
        "aria-pressed", "true"
    )
    tab.check("board-filtered")
    tab.click(page.get_by_role("button", name="Сбросить фильтры"))

    tab.click(page.get_by_role("button", name="Новый заказ"))
    form = page.get_by_role("dialog", name="Новый заказ")
    tab.fill(form.get_by_label("Телефон"), "8 915 123 45 67")  # a seeded customer's number
    tab.press(form.get_by_label("Телефон"), "Tab")
    expect(form.get_by_text("Этот телефон уже есть")).to_be_visible()
    tab.check("new-order-known-phone")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_move_by_keyboard_opens_the_gate_dialog_and_keeps_the_card(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, title="Без документов", name="Клавиатурова Ада")
    board_card(http, manager, order["id"])
    tab = screen(width=width, role="manager")
    page = tab.page
    card = page.locator(f"a.card[data-order-id='{order['id']}']")
    expect(card).to_be_visible()
    card.focus()
    # dnd-kit measures the columns after the lift and moves the card a frame after a key:
    # a person's pace, not a script's.
    tab.press(card, "Space")
    page.wait_for_timeout(300)
    tab.press(page, "ArrowRight")
    expect(page.locator("[id^=DndLiveRegion]")).to_contain_text("над стадией «Замер»")
    tab.press(page, "Space")

    gate = page.locator(f"[data-gate-order='{order['id']}']")
    expect(gate).to_be_visible()
    expect(gate.locator("li.gate-item[data-supplier='upload']")).to_be_visible()
    expect(card).to_have_attribute("data-stage", "intake")  # the refused move kept its place
    tab.check("gate-dialog")
    tab.press(page, "Escape")
    expect(gate).to_have_count(0)
    expect(page.locator("section.column[data-stage='intake']").locator(card)).to_be_visible()


def test_a_finger_drag_on_a_phone_reaches_the_next_stage(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, title="Пальцем", name="Тачева Ева")
    board_card(http, manager, order["id"])
    tab = screen(width=PHONE, role="manager")
    page = tab.page
    card = page.locator(f"a.card[data-order-id='{order['id']}']")
    expect(card).to_be_visible()
    # One column per screen on a phone: the finger carries the card to the right edge, where
    # the board scrolls on to the next stage, and lets go there.
    box = card.bounding_box()
    assert box
    tab.drag(card, (PHONE - 6, box["y"] + box["height"] / 2), touch=True, steps=40)
    # Where the finger let go depends on how far the board scrolled while it waited at the
    # edge: whichever stage that is, the move is refused (no document yet) and says why.
    refused = page.get_by_role("dialog").filter(has_text="Перенос в «")
    expect(refused).to_be_visible()
    expect(card).to_have_attribute("data-stage", "intake")
    tab.check("gate-dialog-touch")

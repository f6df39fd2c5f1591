"""The screens field staff use every day, as each of them sees them, at desk and phone width:
my tasks with a booked visit, the completion form with the rooms, the order card with its
uploads, chat and history, the notifications. Every one passes `check` (no sideways scroll,
no console error, no CSP violation, no untranslated key, axe without serious findings)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import board_card, book, create_order, eventually

WIDTHS = [DESKTOP, PHONE]


@pytest.fixture(scope="module")
def measured_order(app_url: str) -> dict[str, Any]:
    """An order with a measurement booked for the demo measurer, as the office leaves it."""
    with httpx.Client(base_url=app_url, timeout=30) as http:
        manager = bearer(http, "manager")
        order = create_order(http, manager, title="Прихожая с зеркалом", name="Орлова Вера")
        board_card(http, manager, order["id"])
        book(http, manager, order["id"], "measurement", "measurer")
        measurer = bearer(http, "measurer")
        board_card(http, measurer, order["id"])  # the visit has given them the order
        posted = http.post(
            f"/api/v1/orders/{order['id']}/comments",
            headers=manager,
            json={"text": "@measurer клиент просит звонить после 10:00"},
        )
        assert posted.status_code == 201, posted.text
        assert not posted.json().get("not_notified"), posted.text

        def mentioned() -> bool:
            inbox = http.get("/api/v1/notifications", headers=measurer).json()
            return any(n.get("order_id") == order["id"] for n in inbox)

        eventually(mentioned, what="the measurer's notification of the mention")
        return order


@pytest.mark.parametrize("width", WIDTHS)
def test_a_measurer_sees_the_visit_in_my_tasks_and_opens_the_form(
    screen: ScreenFactory, measured_order: dict[str, Any], width: int
) -> None:
    tab = screen(width=width, role="measurer")
    tab.goto("/#/tasks")
    page = tab.page
    expect(page.get_by_role("heading", name="Мои задачи")).to_be_visible()
    task = page.get_by_role("article").filter(has_text=f"№ {measured_order['number']}")
    expect(task).to_be_visible()
    tab.check("tasks-measurer")

    tab.click(task.get_by_role("button", name="Выполнено"))
    expect(page.get_by_label("Ширина, мм").first).to_be_visible()
    tab.check("tasks-measurement-form")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_order_card_as_the_measurer_sees_it(
    screen: ScreenFactory, measured_order: dict[str, Any], width: int
) -> None:
    tab = screen(width=width, role="measurer")
    tab.goto(f"/#/order/{measured_order['id']}")
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(measured_order["number"]))
    expect(page.get_by_role("heading", name="Чат заказа")).to_be_visible()
    expect(page.get_by_text("клиент просит звонить после 10:00")).to_be_visible()
    # Field roles never see commercial parts: no deal section, no amount.
    expect(page.get_by_role("heading", name="Условия сделки")).to_have_count(0)
    tab.check("order-measurer")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_order_card_as_the_manager_sees_it(
    screen: ScreenFactory, measured_order: dict[str, Any], width: int
) -> None:
    tab = screen(width=width, role="manager")
    tab.goto(f"/#/order/{measured_order['id']}")
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(measured_order["number"]))
    expect(page.get_by_role("heading", name="Условия сделки")).to_be_visible()
    expect(page.get_by_role("heading", name="Документы и фото")).to_be_visible()
    tab.check("order-manager")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_measurer_has_a_notification_of_the_mention(
    screen: ScreenFactory, measured_order: dict[str, Any], width: int
) -> None:
    tab = screen(width=width, role="measurer")
    tab.goto("/#/notifications")
    page = tab.page
    expect(page.get_by_role("heading", name="Уведомления")).to_be_visible()
    listed = page.get_by_role("list", name="Список уведомлений")
    expect(listed.get_by_role("link").filter(has_text="@measurer").first).to_be_visible()
    tab.check("notifications-measurer")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_installer_with_nothing_to_do_is_told_so(screen: ScreenFactory, width: int) -> None:
    tab = screen(width=width, role="installer")
    tab.goto("/#/tasks")
    expect(tab.page.get_by_role("heading", name="Мои задачи")).to_be_visible()
    tab.check("tasks-installer")


# The crew the installer and the delivery guides show: a visit booked for each, in their tasks.
CREW_VISITS = [("installer", "installation", "Монтаж"), ("delivery", "delivery", "Доставка")]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("role", "kind", "title"), CREW_VISITS)
def test_a_crew_member_sees_the_visit_booked_for_them_with_where_and_whom_to_call(
    screen: ScreenFactory, app_url: str, width: int, role: str, kind: str, title: str
) -> None:
    with httpx.Client(base_url=app_url, timeout=30) as http:
        manager = bearer(http, "manager")
        order = create_order(http, manager, title="Шкаф в нишу", name="Лебедева Анна")
        board_card(http, manager, order["id"])
        book(http, manager, order["id"], kind, role)
    tab = screen(width=width, role=role)
    tab.goto("/#/tasks")
    task = tab.page.get_by_role("article").filter(has_text=f"№ {order['number']}")
    expect(task).to_contain_text(title)
    expect(task.get_by_role("link", name=re.compile(r"^\+7"))).to_have_attribute(
        "href", re.compile(r"^tel:")
    )
    expect(task).to_contain_text("Москва")
    tab.check(f"tasks-{role}-visit")


def test_english_is_one_click_away_and_stays(
    screen: ScreenFactory, measured_order: dict[str, Any]
) -> None:
    tab = screen(width=DESKTOP, role="measurer")
    tab.goto("/#/tasks")
    tab.click(tab.page.get_by_role("button", name="EN"))
    expect(tab.page.get_by_role("heading", name="My tasks")).to_be_visible()
    tab.page.reload()
    expect(tab.page.get_by_role("heading", name="My tasks")).to_be_visible()
    assert re.search(r"#/tasks$", tab.page.url), "the hash link survives the reload"
    tab.check("tasks-measurer-en")

"""«Доставка уведомлений» (issue 16, item 4: a delivery that keeps failing is parked and
visible to admins): the admin opens what was not delivered, then what was sent, and finds the
e-mail that told the installer of a booking — its channel, address and attempts. At desk and
phone width; each screen passes `check` (console, CSP, axe, a screenshot)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import book, create_order, eventually


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_admin_sees_undelivered_then_the_installers_booking_mail(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    manager = bearer(http, "manager")
    order = create_order(http, manager, title="Дверь в кабинет", name="Фомин Пётр")
    book(http, manager, order["id"], "installation", "installer")
    admin = bearer(http, "admin")

    def sent_mail() -> bool | None:
        reply = http.get(
            "/api/v1/notifications/deliveries", params={"state": "sent"}, headers=admin
        )
        assert reply.status_code == 200, reply.text
        return (
            any(
                row["channel"] == "email" and row["address"] == "installer@oms.example"
                for row in reply.json()
            )
            or None
        )

    eventually(sent_mail, what="the installer's booking e-mail sent")

    tab = screen(width=width, role="admin")
    page = tab.page
    tab.click(page.get_by_role("link", name="Доставка уведомлений"))
    expect(page.get_by_role("heading", name="Доставка уведомлений")).to_be_visible()
    # Parked first: what needs someone. The local mail server takes everything, so nothing is.
    expect(
        page.get_by_text("Все уведомления доставлены: отложенных нет.").or_(
            page.get_by_role("table")
        )
    ).to_be_visible()
    tab.check("deliveries-parked")

    page.get_by_label("Показать").select_option(label="Отправленные")
    row = page.get_by_role("row").filter(has_text="installer@oms.example").first
    expect(row).to_be_visible()
    expect(row).to_contain_text("Эл. почта")
    expect(row).to_contain_text("installer")
    tab.check("deliveries-sent")

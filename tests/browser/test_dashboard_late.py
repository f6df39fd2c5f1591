"""The dashboard's «Не успеваем к обещанному сроку» (issue 13, item 3): an open order whose
forecast passes the day promised to the customer is counted and listed on the director's
dashboard with its stage, the promise and the expected day, a link to its card; the panel is
as of now (its hint says the period does not narrow it) and its CSV is the forecast report,
fetched with the session. At desk and phone width, and once in English; `check`ed.

As in test_forecast_flag.py: a new order's forecast falls back on the stage limits (weeks
from intake), so a promise of today is late."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import expect

from services.projections.domain.reports import COMPANY_TZ
from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import as_user, board_card, create_order, eventually
from tests.browser.test_dashboard import download, panel

WIDTHS = [DESKTOP, PHONE]


def late_order(http: httpx.Client, title: str) -> dict[str, object]:
    """An order promised for today, seen late by the forecast report."""
    manager = as_user(http, "manager")
    today = datetime.now(COMPANY_TZ).date()
    order = create_order(
        http, manager, title=title, name="Срокова Вера", promised_date=today.isoformat()
    )
    board_card(http, manager, str(order["id"]))

    def reported() -> bool | None:
        rows = http.get("/api/v1/reports/forecast", headers=manager).json()["rows"]
        return True if any(r["order_id"] == order["id"] and r["late"] for r in rows) else None

    eventually(reported, what="the order late in the forecast report")
    return order


@pytest.mark.parametrize("width", WIDTHS)
def test_the_director_sees_the_orders_late_for_their_promise(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    order = late_order(http, f"Шкаф не к сроку {width}")
    today = datetime.now(COMPANY_TZ).date()
    tab = screen(width=width, role="director")
    page = tab.page
    tab.goto("/#/dashboard")
    late = panel(page, "Не успеваем к обещанному сроку")
    expect(late).to_be_visible()
    expect(late.get_by_text(re.compile("На сейчас, без учёта периода"))).to_be_visible()
    assert int(late.locator("[data-late-count] .big-number").inner_text()) >= 1
    ours = late.locator(f"li[data-order-id='{order['id']}']")
    expect(ours).to_contain_text(f"Шкаф не к сроку {width}")
    expect(ours.get_by_test_id("late-flag")).to_contain_text(f"Не успеваем к {today:%d.%m}")
    expect(ours).to_contain_text(re.compile(r"Прогноз закрытия \d\d\.\d\d\.\d{4}"))
    expect(ours).to_contain_text(re.compile(r"опоздание \d+ дн\."))
    tab.check("dashboard-late")

    # The CSV is the forecast report (as of now: named for today), ours among its rows.
    name, rows = download(tab, "Не успеваем к обещанному сроку")
    assert name == f"forecast_{today.isoformat()}.csv"
    assert any(r["order_id"] == order["id"] for r in rows)

    tab.click(ours.get_by_role("link"))
    expect(page).to_have_url(re.compile(f"#/order/{order['id']}$"))


def test_the_late_panel_in_english(screen: ScreenFactory, http: httpx.Client) -> None:
    order = late_order(http, "Wardrobe past its promise")
    tab = screen(width=DESKTOP, role="director", locale="en-US")
    page = tab.page
    tab.click(page.get_by_role("button", name="EN"))  # the app's own switch; Russian first
    tab.click(page.get_by_role("navigation").get_by_role("link", name="Control"))
    late = panel(page, "Late for the promised date")
    expect(late.get_by_text(re.compile("As of now, whatever the period"))).to_be_visible()
    ours = late.locator(f"li[data-order-id='{order['id']}']")
    expect(ours).to_contain_text("Wardrobe past its promise")
    expect(ours).to_contain_text(re.compile(r"\d+ d late"))
    csv_button = page.get_by_role("button", name="Download CSV: Late for the promised date")
    expect(csv_button).to_be_visible()
    tab.check("dashboard-late-en")

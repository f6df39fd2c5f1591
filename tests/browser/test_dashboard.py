"""The director's control (issue 13, item 2): the dashboard opens first in the director's
header with the four reports as charts and tables; the period changes by a preset and by
custom days and survives a reload (it lives in the link); an overdue number drills down to
the orders behind it, each a link to its card; a report downloads as CSV through the session
(fetched with the bearer token, not a cookie link) under a name with the report and period,
and its rows are the screen's. At desk and phone width; every state passes `check`."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from services.projections.domain.reports import COMPANY_TZ
from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE, Screen
from tests.browser.setup import as_user, board_card, board_ready, create_order, eventually

WIDTHS = [DESKTOP, PHONE]


def overdue_task(http: httpx.Client, width: int) -> dict[str, Any]:
    """An order with a task a day past due, created by the manager as a person would, and
    seen by the overdue report."""
    manager = as_user(http, "manager")
    order = create_order(http, manager, title=f"Просроченный шкаф {width}", name="Срокова Вера")
    board_card(http, manager, order["id"])
    due = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    body = {
        "title": "Перезвонить клиенту",
        "order_id": order["id"],
        "assignee_role": "manager",
        "due_at": due,
    }
    reply = http.post("/api/v1/tasks", json=body, headers=manager)
    assert reply.status_code == 201, reply.text
    task_id = reply.json()["id"]

    def reported() -> bool:
        rows = http.get("/api/v1/reports/overdue", headers=manager).json()["rows"]
        return any(r.get("task_id") == task_id for r in rows)

    eventually(reported, what="the task in the overdue report")
    return order


def panel(page: Page, title: str) -> Locator:
    return page.get_by_role("region", name=title)


def table_cells(table: Locator) -> dict[str, list[str]]:
    """A report table as {row header: [cells]}."""
    out: dict[str, list[str]] = {}
    for row in table.locator("tbody tr").all():
        out[row.locator("th").inner_text().strip()] = [
            c.inner_text().strip() for c in row.locator("td").all()
        ]
    return out


def download(tab: Screen, report_title: str) -> tuple[str, list[dict[str, str]]]:
    page = tab.page
    with page.expect_download() as info:
        tab.click(page.get_by_role("button", name=f"Скачать CSV: {report_title}"))
    got = info.value
    text = Path(got.path()).read_text(encoding="utf-8")
    return got.suggested_filename, list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_director_reads_changes_drills_and_downloads(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    board_ready(http)
    order = overdue_task(http, width)
    tab = screen(width=width, role="director")
    page = tab.page
    nav = page.get_by_role("navigation", name="Разделы")
    first = nav.get_by_role("link").first
    expect(first).to_have_text("Контроль")
    tab.click(first)
    expect(page.get_by_role("heading", name="Контроль", level=1)).to_be_visible()
    for title in ("Воронка", "Время в стадии", "Просрочено", "Загрузка бригад"):
        expect(panel(page, title)).to_be_visible()
    expect(page.get_by_role("button", name="30 дней")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-overdue=task] .big-number")).not_to_have_text("0")
    # The charts are drawn (SVG, recharts) and hidden from assistive technology: the tables
    # under them carry the same numbers.
    expect(page.locator(".panel-funnel .chart svg").first).to_be_visible()
    tab.check("dashboard")

    # A preset: the figures are read again, and the period is in the link.
    tab.click(page.get_by_role("button", name="Этот месяц"))
    expect(page.get_by_role("button", name="Этот месяц")).to_have_attribute("aria-pressed", "true")
    assert "period=month" in page.evaluate("() => location.hash")
    page.reload()
    expect(page.get_by_role("button", name="Этот месяц")).to_have_attribute("aria-pressed", "true")
    expect(panel(page, "Воронка").locator("table")).to_be_visible()
    tab.check("dashboard-month")

    # Custom days: a start after the end is refused here, before any read. Days are the
    # company's (the reports take a day whole in Moscow time), as the screen's presets are.
    today = datetime.now(COMPANY_TZ).date()
    start = today - timedelta(days=6)
    tab.click(page.get_by_role("button", name="Свой период"))
    tab.fill(page.get_by_label("С", exact=True), today.isoformat())
    tab.fill(page.get_by_label("По", exact=True), start.isoformat())
    tab.click(page.get_by_role("button", name="Показать"))
    expect(page.get_by_text("Начало позже окончания")).to_be_visible()
    tab.check("dashboard-custom-refused")
    tab.fill(page.get_by_label("С", exact=True), start.isoformat())
    tab.fill(page.get_by_label("По", exact=True), today.isoformat())
    tab.click(page.get_by_role("button", name="Показать"))
    expect(page.get_by_text("Начало позже окончания")).to_have_count(0)
    hash_now = page.evaluate("() => location.hash")
    assert f"from={start.isoformat()}" in hash_now, hash_now
    assert f"to={today.isoformat()}" in hash_now, hash_now
    expect(page.get_by_role("button", name="Свой период")).to_have_attribute("aria-pressed", "true")

    # Drill-down: the overdue tasks' number lists the orders behind it, ours among them.
    tasks_button = page.locator("[data-overdue=task]")
    shown_tasks = int(tasks_button.locator(".big-number").inner_text())
    assert shown_tasks >= 1
    tab.click(tasks_button)
    drill = page.get_by_role("dialog", name="Просрочено: Просроченные задачи")
    ours = drill.locator(f"li[data-order-id='{order['id']}']")
    expect(ours).to_contain_text("Просроченный шкаф")
    tab.check("dashboard-drill")
    tab.click(ours.get_by_role("link"))
    expect(page).to_have_url(re.compile(f"#/order/{order['id']}$"))
    expect(page.get_by_text(re.compile("Просроченный шкаф")).first).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Контроль", level=1)).to_be_visible()
    assert f"from={start.isoformat()}" in page.evaluate("() => location.hash")

    # CSV through the session: named for the report and the period, its rows the screen's.
    name, rows = download(tab, "Просрочено")
    assert name == f"overdue_{start.isoformat()}_{today.isoformat()}.csv"
    on_screen = {
        "task": int(page.locator("[data-overdue=task] .big-number").inner_text()),
        "order": int(page.locator("[data-overdue=order] .big-number").inner_text()),
    }
    assert on_screen == {k: sum(1 for r in rows if r["item"] == k) for k in on_screen}
    assert any(r["order_id"] == order["id"] for r in rows if r["item"] == "task")

    name, rows = download(tab, "Воронка")
    assert name == f"funnel_{start.isoformat()}_{today.isoformat()}.csv"
    table = table_cells(panel(page, "Воронка").locator("table"))
    assert {r["title"]: r["entered"] for r in rows} == {k: v[0] for k, v in table.items()}
    expect(page.get_by_text(f"Сохранён файл {name}")).to_be_visible()
    tab.check("dashboard-downloaded")


def test_the_dashboard_in_english(screen: ScreenFactory, http: httpx.Client) -> None:
    board_ready(http)
    tab = screen(width=DESKTOP, role="director")
    page = tab.page
    tab.click(page.get_by_role("button", name="EN"))
    tab.click(page.get_by_role("navigation").get_by_role("link", name="Control"))
    expect(page.get_by_role("heading", name="Control", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Funnel")).to_be_visible()
    expect(page.get_by_role("button", name="Download CSV: Crew workload")).to_be_visible()
    tab.check("dashboard-en")


def test_field_roles_are_offered_no_dashboard(screen: ScreenFactory) -> None:
    tab = screen(width=PHONE, role="installer")
    page = tab.page
    expect(page.get_by_role("navigation", name="Разделы").get_by_text("Контроль")).to_have_count(0)
    tab.goto("/#/dashboard")
    expect(page.get_by_text("Отчёты доступны руководителю и менеджерам.")).to_be_visible()
    expect(page.locator(".panel")).to_have_count(0)

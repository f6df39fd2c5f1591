"""Issue 13, items 1 and 5 in the browser: a manager makes a task from the order card and from
the office's list of everyone's tasks and sees it overdue there; opens the card's gallery and
its viewer (next, Escape); and looks at the order as it was at a moment between two events.
At desk and phone width; every screen passes `check` (widths, console, CSP, keys, axe)."""

from __future__ import annotations

import io
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE, Screen
from tests.browser.setup import create_order, crew_member, eventually
from tests.browser.test_forms import field_error

WIDTHS = [DESKTOP, PHONE]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def attach(
    http: httpx.Client,
    head: dict[str, str],
    oid: str,
    kind: str,
    purpose: str,
    name: str,
    data: bytes,
) -> None:
    """Declare, PUT the bytes, complete: as the upload form does."""
    body = {
        "kind": kind,
        "purpose": purpose,
        "filename": name,
        "content_type": "application/pdf" if kind == "document" else "image/jpeg",
        "size": len(data),
    }
    started = http.post(f"/api/v1/orders/{oid}/media", headers=head, json=body)
    assert started.status_code == 201, started.text
    put = httpx.put(started.json()["upload_url"], content=data, timeout=30)
    assert put.status_code == 200, put.text
    done = http.post(f"/api/v1/media/{started.json()['media_id']}/complete", headers=head)
    assert done.status_code == 200, done.text


def local_input(tab: Screen, iso: str, seconds: bool = False) -> str:
    """The browser's local wall time of `iso`, as a datetime-local input takes it."""
    value: str = tab.page.evaluate(
        """([iso, seconds]) => {
            const d = new Date(iso); const p = (n) => String(n).padStart(2, "0");
            const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
            const s = `${day}T${p(d.getHours())}:${p(d.getMinutes())}`;
            return seconds ? `${s}:${p(d.getSeconds())}` : s;
        }""",
        [iso, seconds],
    )
    return value


def open_card(tab: Screen, order: dict[str, Any]) -> None:
    tab.goto(f"/#/order/{order['id']}")
    expect(
        tab.page.get_by_role("heading", name=f"№ {order['number']} · {order['title']}")
    ).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_manager_makes_tasks_from_the_card_and_the_office_list_and_sees_them_overdue(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    head = bearer(http, "manager")
    order = create_order(http, head, title=f"Шкаф {uuid.uuid4().hex[:4]}")
    measurer = crew_member(http, head, "measurer")
    tab = screen(width=width, role="manager")
    page = tab.page
    open_card(tab, order)

    tab.click(page.get_by_role("button", name="Новая задача"))
    form = page.get_by_role("dialog", name=f"Новая задача по заказу № {order['number']}")
    tab.click(form.get_by_role("button", name="Создать задачу"))
    expect(field_error(form, "Что сделать")).to_have_text("Заполните это поле")
    expect(field_error(form, "Сотрудник")).to_have_text("Выберите сотрудника")
    expect(form.get_by_label("Что сделать")).to_be_focused()
    tab.check("task-form-refused")

    title = f"Позвонить клиенту {uuid.uuid4().hex[:5]}"
    tab.fill(form.get_by_label("Что сделать"), title)
    tab.select_option(form.get_by_label("Сотрудник", exact=True), measurer["id"])
    two_hours_ago = (datetime.now().astimezone() - timedelta(hours=2)).isoformat()
    tab.fill(form.get_by_label("Срок"), local_input(tab, two_hours_ago))
    tab.click(form.get_by_role("button", name="Создать задачу"))
    expect(form).to_have_count(0)
    expect(page.get_by_text(title)).to_be_visible()  # on the card's tasks
    tab.check("card-task-made")

    tab.click(page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Все задачи"))
    expect(page.get_by_role("heading", name="Задачи всех сотрудников")).to_be_visible()
    tab.select_option(page.get_by_label("Заказ", exact=True), order["id"])
    ours = page.locator("li.office-task", has_text=title)
    expect(ours).to_contain_text("Просрочено")
    expect(ours).to_have_class(re.compile(r"task-late"))
    expect(ours).to_contain_text(measurer["display_name"])
    tab.check("office-tasks")

    # A task for a role, on no order, from the office list: overdue first among all tasks.
    tab.click(page.get_by_role("button", name="Сбросить фильтры"))
    tab.click(page.get_by_role("button", name="Новая задача"))
    office = page.get_by_role("dialog", name="Новая задача")
    other = f"Заказать фурнитуру {uuid.uuid4().hex[:5]}"
    tab.fill(office.get_by_label("Что сделать"), other)
    tab.click(office.get_by_label("Любому с ролью"))
    tab.select_option(office.get_by_label("Роль", exact=True), "measurer")
    tab.fill(office.get_by_label("Срок"), local_input(tab, two_hours_ago))
    tab.check("office-task-form")
    tab.click(office.get_by_role("button", name="Создать задачу"))
    expect(office).to_have_count(0)
    made = page.locator("li.office-task", has_text=other)
    expect(made).to_contain_text("Просрочено")
    expect(made).to_contain_text("любой: Замерщик")
    # Every overdue task comes before every other one.
    flags = page.locator("li.office-task").evaluate_all(
        "items => items.map(i => i.classList.contains('task-late'))"
    )
    assert flags == sorted(flags, reverse=True), flags
    tab.check("office-tasks-more")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_gallery_opens_a_photo_in_the_viewer_and_steps_through(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    head = bearer(http, "manager")
    order = create_order(http, head, title=f"Дверь {uuid.uuid4().hex[:4]}")
    attach(http, head, order["id"], "photo", "measurement", "прихожая.jpg", jpeg((90, 140, 60)))
    attach(http, head, order["id"], "photo", "measurement", "ниша.jpg", jpeg((40, 60, 160)))
    attach(http, head, order["id"], "document", "requirements", "требования.pdf", PDF)

    def thumbnails() -> bool:
        items = http.get(f"/api/v1/orders/{order['id']}/media", headers=head).json()
        return sum(1 for i in items if i.get("thumbnail_url")) == 2

    eventually(thumbnails, what="both thumbnails")
    tab = screen(width=width, role="manager")
    page = tab.page
    open_card(tab, order)
    first = page.get_by_role("button", name="Посмотреть фото прихожая.jpg")
    expect(first.locator("img")).to_have_js_property("complete", True)
    expect(page.get_by_role("link", name="Скачать требования.pdf")).to_have_attribute(
        "download", "требования.pdf"
    )
    tab.check("gallery")

    tab.click(first)
    viewer = page.get_by_label("Просмотр фото")
    expect(viewer).to_be_visible()
    expect(viewer.get_by_text("1 из 2 · Замер").first).to_be_visible()
    expect(viewer.locator("img[src*='http']").first).to_be_visible()
    tab.check("gallery-viewer")
    tab.press(page, "ArrowRight")
    expect(viewer.get_by_text("ниша.jpg").first).to_be_visible()
    tab.click(viewer.get_by_role("button", name="Предыдущее фото"))
    expect(viewer.get_by_text("прихожая.jpg").first).to_be_visible()
    tab.press(page, "Escape")
    expect(viewer).to_have_count(0)
    expect(first).to_be_visible()


def _order_with_a_past(http: httpx.Client) -> tuple[dict[str, Any], str]:
    """An order whose deal was 100 000 in measurement, then 125 000, then cancelled; and a
    moment (ISO) between the move to measurement and the second deal, a second apart at least
    either side (the input takes seconds)."""
    head = bearer(http, "manager")
    order = create_order(http, head, title=f"Кухня {uuid.uuid4().hex[:4]}")
    oid = order["id"]
    attach(http, head, oid, "document", "requirements", "требования.pdf", PDF)
    eventually(
        lambda: http.get(f"/api/v1/orders/{oid}", headers=head).json()["documents"],
        what="the document on the order",
    )
    deal = {"decor": "Зеркало", "finishing": "Эмаль", "extra_work": "", "payment_terms": "50%"}
    put = http.put(f"/api/v1/orders/{oid}/deal", headers=head, json={"amount": "100000", **deal})
    assert put.status_code == 200, put.text
    moved = http.post(f"/api/v1/orders/{oid}/transitions", headers=head, json={"to": "measurement"})
    assert moved.status_code == 200, moved.text
    time.sleep(2.2)
    put = http.put(f"/api/v1/orders/{oid}/deal", headers=head, json={"amount": "125000", **deal})
    assert put.status_code == 200, put.text
    body = {"to": "cancelled", "reason": "клиент передумал"}
    cancelled = http.post(f"/api/v1/orders/{oid}/transitions", headers=head, json=body)
    assert cancelled.status_code == 200, cancelled.text
    history = http.get(f"/api/v1/orders/{oid}/history", headers=head).json()
    moved_at = next(h["at"] for h in history if h["type"] == "orders.StageChanged")
    between = datetime.fromisoformat(moved_at) + timedelta(seconds=1.1)
    return order, between.isoformat()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_order_as_it_was_between_two_events(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    order, between = _order_with_a_past(http)
    tab = screen(width=width, role="manager")
    page = tab.page
    open_card(tab, order)
    expect(page.locator(".order-head .stage-badge")).to_have_text("Отказ")

    panel = page.locator("section.as-of")
    tab.click(panel.get_by_text("Как было на…"))
    tab.fill(panel.get_by_label("Дата и время"), local_input(tab, between, seconds=True))
    tab.click(panel.get_by_role("button", name="Показать"))
    past = panel.get_by_role("region")
    expect(past).to_contain_text("Прошлое состояние на")
    expect(past).to_contain_text("не текущее")
    expect(past.locator(".stage-badge")).to_have_text("Замер")
    expect(past).to_contain_text("100")
    expect(past).not_to_contain_text("125")
    expect(past).to_contain_text("Соколова Анна")
    past.scroll_into_view_if_needed()
    tab.check("order-as-of")

    # Before the order existed: said in words, with the moment it was created.
    tab.fill(panel.get_by_label("Дата и время"), "2020-01-01T10:00:00")
    tab.click(panel.get_by_role("button", name="Показать"))
    expect(panel.get_by_role("alert")).to_contain_text("Заказа тогда ещё не было: он создан")

    # From the history: the moment of the move itself, exactly (the second deal came later).
    history = page.locator("section", has=page.get_by_role("heading", name="История заказа"))
    if not history.locator("ol.history").is_visible():
        tab.click(history.get_by_text("История заказа"))
    line = history.locator("li", has_text="Переход: Оформление заказа → Замер")
    tab.click(line.get_by_role("button", name="как было тогда"))
    expect(past.locator(".stage-badge")).to_have_text("Замер")
    expect(past).to_contain_text("100")
    expect(past).not_to_contain_text("125")
    expect(panel.get_by_role("alert")).to_have_count(0)
    tab.check("order-as-of-from-history")


def test_the_order_as_it_was_in_english(screen: ScreenFactory, http: httpx.Client) -> None:
    order, between = _order_with_a_past(http)
    tab = screen(width=DESKTOP, role="manager", locale="en-US")
    page = tab.page
    tab.click(page.locator("button.lang-toggle"))  # the app's language is the user's choice
    tab.goto(f"/#/order/{order['id']}")
    panel = page.locator("section.as-of")
    tab.click(panel.get_by_text("As it was on…"))
    tab.fill(panel.get_by_label("Date and time"), local_input(tab, between, seconds=True))
    tab.click(panel.get_by_role("button", name="Show"))
    past = panel.get_by_role("region")
    expect(past).to_contain_text("Past state as of")
    expect(past.locator(".stage-badge")).to_have_text("Measurement")
    tab.check("order-as-of-en")

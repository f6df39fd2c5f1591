"""Administration in the browser (issue 13, item 4): the crews' working hours, the robots and
the pipeline, edited by the admin (who holds crew.edit, rules.edit and pipeline.edit and sees
no order). Each change is checked where it matters: the booking calendar shows a member's new
hours, a rule's edit holds on the server, and a published pipeline version is followed by new
orders while an old order keeps its own. At desk and phone width, every state `check`ed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import as_user, board_card, create_order, eventually
from tests.browser.test_forms import field_error

WIDTHS = [DESKTOP, PHONE]
STRONG = "серый-Клён-47-рассвет-Бутово"
MOSCOW = ZoneInfo("Europe/Moscow")


def new_crew_member(http: httpx.Client, admin: dict[str, str], role: str) -> dict[str, Any]:
    """A crew member of this test's own, so no other test's free hours change under it."""
    username = f"{role}_{uuid.uuid4().hex[:8]}"
    body = {"username": username, "display_name": f"Пробный {username}", "role": role}
    made = http.post("/api/v1/users", headers=admin, json={**body, "password": STRONG})
    assert made.status_code == 201, made.text

    def listed() -> dict[str, Any] | None:
        reply = http.get("/api/v1/crew", headers=admin, params={"role": role})
        return next((c for c in reply.json() if c["username"] == username), None)

    return eventually(listed, what=f"{username} among the crew")


def next_sunday_11() -> datetime:
    """11:00 Moscow time on the next Sunday after today (never today: it may be past)."""
    today = datetime.now(MOSCOW).date()
    sunday = today + timedelta(days=(6 - today.weekday()) or 7)
    return datetime(sunday.year, sunday.month, sunday.day, 11, tzinfo=MOSCOW)


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_edits_a_crews_hours_and_the_booking_calendar_shows_them(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    admin = as_user(http, "admin")
    member = new_crew_member(http, admin, "measurer")
    tab = screen(width=width, role="admin")
    page = tab.page
    tab.click(
        page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Рабочее время")
    )
    expect(page.get_by_role("heading", name="Бригады: рабочее время")).to_be_visible()
    row = page.locator(f"li[data-member-id='{member['id']}']")
    expect(row).to_contain_text("Пн–Пт 09:00–18:00")
    tab.check("crew")

    tab.click(row.get_by_role("button", name="Изменить"))
    form = page.get_by_role("dialog", name=f"Рабочее время: {member['display_name']}")
    tab.click(form.get_by_role("checkbox", name="Воскресенье"))
    tab.fill(form.get_by_label("Воскресенье: начало"), "11:00")
    tab.fill(form.get_by_label("Воскресенье: конец"), "15:00")
    tab.fill(form.get_by_label("Вторник: конец"), "08:00")
    tab.fill(form.get_by_label("Часовой пояс", exact=True), "Mars/Olympus")
    tab.click(form.get_by_role("button", name="Сохранить"))
    # Asked before sending: the end before the start, under Tuesday, and focused.
    tuesday = form.locator("[data-day=tue]")
    expect(tuesday.locator(".field-error")).to_have_text("Конец должен быть позже начала")
    expect(form.get_by_label("Вторник: начало")).to_be_focused()
    tab.fill(form.get_by_label("Вторник: конец"), "18:00")
    tab.click(form.get_by_role("button", name="Сохранить"))
    # The server's 422: the time zone it does not know, under the time zone, in Russian.
    expect(field_error(form, "Часовой пояс")).to_have_text("Неизвестный часовой пояс")
    expect(form.get_by_label("Часовой пояс", exact=True)).to_be_focused()
    tab.check("crew-refused")

    tab.fill(form.get_by_label("Часовой пояс", exact=True), "Europe/Moscow")
    tab.fill(form.get_by_label("Новая выходная дата"), "2027-01-07")
    tab.click(form.get_by_role("button", name="Добавить дату"))
    expect(form.get_by_role("button", name="Убрать дату 2027-01-07")).to_be_visible()
    tab.click(form.get_by_role("button", name="Добавить отсутствие"))
    absence = form.get_by_role("group", name="Отсутствие 1")
    tab.fill(absence.get_by_label("С", exact=True), "2027-02-01T09:00")
    tab.fill(absence.get_by_label("По", exact=True), "2027-02-05T18:00")
    tab.fill(absence.get_by_label("Причина"), "Отпуск")
    tab.click(form.get_by_role("button", name="Сохранить"))
    expect(form).to_have_count(0)
    expect(row).to_contain_text("Вс 11:00–15:00")
    expect(row).to_contain_text("Выходных дат: 1")
    expect(row).to_contain_text("Отсутствий: 1")
    tab.check("crew-saved")

    stored = next(
        c for c in http.get("/api/v1/crew", headers=admin).json() if c["id"] == member["id"]
    )
    assert stored["working_hours"]["sun"] == ["11:00", "15:00"]
    assert stored["days_off"] == ["2027-01-07"]
    assert [a["reason"] for a in stored["absences"]] == ["Отпуск"]

    # The booking calendar (a manager's: admin books nothing) shows the Sunday's free hours.
    office = screen(width=width, role="manager")
    office.goto("/#/calendar/measurer")
    starts = next_sunday_11().astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    sunday = office.page.locator(
        f"[data-type=free][data-member-id='{member['id']}'][data-start='{starts}']"
    )
    # The week's (a phone: the day's) data first; on a phone today may have no free time left.
    expect(office.page.get_by_role("region", name="Календарь: Замерщик")).to_be_visible()
    office.page.wait_for_timeout(1000)
    step = "Следующая неделя" if width == DESKTOP else "Следующий день"
    for _ in range(3 if width == DESKTOP else 8):
        if sunday.count():
            break
        office.click(office.page.get_by_role("button", name=step))
        office.page.wait_for_timeout(700)
    expect(sunday).to_be_attached()
    sunday.scroll_into_view_if_needed()
    office.check("crew-calendar")

    off = http.patch(f"/api/v1/users/{member['id']}", headers=admin, json={"active": False})
    assert off.status_code == 200, off.text


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_makes_a_robot_rule_in_words_then_edits_it_and_the_edit_holds(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    admin = as_user(http, "admin")
    title = f"Замер выполнен — позвонить клиенту ({width}, {uuid.uuid4().hex[:4]})"
    tab = screen(width=width, role="admin")
    page = tab.page
    tab.click(page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Роботы"))
    expect(page.get_by_role("heading", name="Роботы")).to_be_visible()
    # The default rules in words: stage titles and kinds, no raw keys.
    seeded = page.locator("li[data-rule-id='measurement-book-visit']")
    expect(seeded).to_contain_text(
        "Когда заказ переходит на этап «Замер», нет записи на визит «Замер»"
    )
    expect(seeded).to_contain_text(
        "создать задачу «Записать на замер» (записать на визит) для роли «Менеджер»"
    )
    tab.check("rules")

    tab.click(page.get_by_role("button", name="Новое правило"))
    form = page.get_by_role("dialog", name="Новое правило")
    tab.click(form.get_by_role("button", name="Создать"))
    expect(field_error(form, "Название")).to_have_text("Обязательное поле")  # asked before sending
    expect(field_error(form, "Текст задачи")).to_have_text("Обязательное поле")
    tab.fill(form.get_by_label("Название"), title)
    tab.click(form.get_by_label("Правило включено"))  # off: it fires on nobody's orders here
    tab.select_option(form.get_by_label("Событие"), "task_completed")
    tab.select_option(form.get_by_label("Вид выполненной задачи"), "measurement")
    tab.fill(form.get_by_label("Текст задачи"), "Позвонить клиенту")
    tab.fill(form.get_by_label("Срок, часов"), "8")
    tab.click(form.get_by_role("button", name="Добавить действие"))
    second = form.get_by_role("group", name="Действие 2")
    # The amount is no placeholder a robot may use (nothing commercial): the server refuses.
    tab.fill(second.get_by_label("Текст по-русски"), "Сумма заказа {amount}")
    tab.fill(second.get_by_label("Текст по-английски"), "Order amount {amount}")
    tab.click(form.get_by_role("button", name="Создать"))
    expect(field_error(second, "Текст по-русски")).to_have_text("Неизвестная подстановка в тексте")
    expect(second.get_by_label("Текст по-русски")).to_be_focused()
    tab.check("rule-refused")

    tab.fill(second.get_by_label("Текст по-русски"), "Заказ №{number}: замер выполнен")
    tab.fill(second.get_by_label("Текст по-английски"), "Order #{number}: measured")
    tab.click(form.get_by_role("button", name="Создать"))
    expect(form).to_have_count(0)
    card = page.locator("li.rule").filter(has_text=title)
    expect(card).to_contain_text("Выключено")
    expect(card).to_contain_text("Когда выполнена задача, задача — замер")
    expect(card).to_contain_text(
        "создать задачу «Позвонить клиенту» (другое) для роли «Менеджер», срок 8 ч"
    )
    expect(card).to_contain_text("уведомить менеджера заказа: «Заказ №{number}: замер выполнен»")
    rule_id = card.get_attribute("data-rule-id")
    made = next(
        r for r in http.get("/api/v1/automation/rules", headers=admin).json() if r["id"] == rule_id
    )
    assert [a["type"] for a in made["actions"]] == ["create_task", "notify"]

    tab.click(card.get_by_role("button", name="Изменить"))
    edit = page.get_by_role("dialog", name=f"Правило «{title}»")
    tab.fill(edit.get_by_label("Срок, часов"), "4")
    tab.select_option(
        edit.get_by_role("group", name="Действие 1").get_by_label("Кому (роль)"), "director"
    )
    tab.click(edit.get_by_role("button", name="Сохранить"))
    expect(edit).to_have_count(0)
    expect(card).to_contain_text("для роли «Руководитель», срок 4 ч")
    tab.check("rule-edited")

    stored = next(
        r for r in http.get("/api/v1/automation/rules", headers=admin).json() if r["id"] == rule_id
    )
    task = stored["actions"][0]
    assert (task["due_in_hours"], task["assignee_role"]) == (4, "director")
    assert stored["version"] == made["version"] + 1
    # Each action kept its id through the edit (robots find their tasks again by it).
    assert [a["id"] for a in stored["actions"]] == [a["id"] for a in made["actions"]]
    assert stored["enabled"] is False


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_previews_and_publishes_a_pipeline_version_that_only_new_orders_follow(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    admin = as_user(http, "admin")
    manager = as_user(http, "manager")
    before = http.get("/api/v1/pipeline", headers=admin).json()
    old = create_order(http, manager, title="Шкаф по старой воронке", name="Старова Нина")
    assert board_card(http, manager, old["id"])["pipeline_version"] == before["version"]
    try:
        tab = screen(width=width, role="admin")
        page = tab.page
        nav = page.get_by_role("navigation", name="Разделы")
        tab.click(nav.get_by_role("link", name="Воронка"))
        expect(page.get_by_text(f"Действующая версия: {before['version']}")).to_be_visible()
        tab.check("pipeline")

        tab.fill(page.get_by_label("Код этапа"), "Лак")
        tab.click(page.get_by_role("button", name="Добавить этап"))
        expect(field_error(page.locator(".pipe-add"), "Код этапа")).to_have_text(
            "Только строчная латиница, цифры и _, начиная с буквы"
        )
        expect(page.get_by_label("Код этапа")).to_be_focused()
        tab.fill(page.get_by_label("Код этапа"), "varnishing")
        tab.fill(page.get_by_label("Новый этап: название по-русски"), "Лакировка")
        tab.fill(page.get_by_label("Новый этап: название по-английски"), "Varnishing")
        tab.select_option(page.get_by_label("После этапа"), "production")
        tab.click(page.get_by_role("button", name="Добавить этап"))
        stage = page.locator("li[data-stage='varnishing']")
        expect(stage.locator("summary")).to_contain_text("Этап 5: Лакировка")
        tab.fill(stage.get_by_label("Срок на этапе, часов"), "24")
        tab.select_option(
            stage.get_by_label("Условие для этапа «Лакировка»"), "production_not_finished"
        )
        tab.click(stage.get_by_role("button", name="Добавить условие"))
        expect(stage).to_contain_text("Производство не завершено")
        tab.check("pipeline-draft")

        tab.click(page.get_by_role("button", name="Посмотреть изменения"))
        preview = page.get_by_role("dialog", name="Новая версия воронки")
        expect(preview.locator("[data-change=added][data-stage=varnishing]")).to_have_text(
            "Добавлен этап «Лакировка» (место 5)"
        )
        expect(preview.locator("[data-change=changed][data-stage=production]")).to_contain_text(
            "переходы: Подготовка к отгрузке → Лакировка"
        )
        counts = http.get("/api/v1/pipeline/open-orders", headers=admin).json()["versions"]
        on_current = sum(c["open_orders"] for c in counts if c["version"] == before["version"])
        assert on_current >= 1  # the order made above, at least
        expect(preview.locator("[data-count=current]")).to_have_text(
            f"Останутся на версии {before['version']}: {on_current}"
        )
        tab.check("pipeline-preview")

        tab.click(
            preview.get_by_role("button", name=f"Опубликовать версию {before['version'] + 1}")
        )
        expect(preview).to_have_count(0)
        expect(page.get_by_text(f"Действующая версия: {before['version'] + 1}")).to_be_visible()
        tab.check("pipeline-published")

        now = http.get("/api/v1/pipeline", headers=admin).json()
        assert now["version"] == before["version"] + 1
        assert [s["key"] for s in now["stages"]][3:6] == [
            "production",
            "varnishing",
            "shipment_prep",
        ]
        assert now["forward"]["production"] == ["varnishing"]
        # A new order follows the new version; the old one keeps its own.
        new = create_order(http, manager, title="Шкаф по новой воронке", name="Новикова Ида")
        assert board_card(http, manager, new["id"])["pipeline_version"] == now["version"]
        assert board_card(http, manager, old["id"])["pipeline_version"] == before["version"]
        card = http.get(f"/api/v1/orders/{new['id']}", headers=manager).json()
        assert card["pipeline_version"] == now["version"]
    finally:
        # The rest of the suite shares this stack and expects the default stages: publish
        # the version read before again (a new number, the same stages).
        restored = http.put(
            "/api/v1/pipeline",
            headers=admin,
            json={"stages": before["stages"], "forward": before["forward"]},
        )
        assert restored.status_code in (200, 201), restored.text


def test_the_administration_screens_speak_english(screen: ScreenFactory) -> None:
    tab = screen(width=DESKTOP, role="admin")
    page = tab.page
    tab.click(page.get_by_role("button", name="EN"))  # the language is the user's choice
    tab.goto("/#/crew")
    expect(page.get_by_role("heading", name="Crews: working hours")).to_be_visible()
    expect(page.get_by_role("list", name="Crew members")).to_contain_text("Mon–Fri 09:00–18:00")
    tab.check("crew-en")
    tab.goto("/#/rules")
    seeded = page.locator("li[data-rule-id='measurement-book-visit']")
    expect(seeded).to_contain_text(
        "When an order enters the stage “Measurement”, no visit “Measurement” is booked"
    )
    tab.check("rules-en")
    tab.goto("/#/pipeline")
    expect(page.get_by_role("heading", name="Pipeline: order stages")).to_be_visible()
    expect(page.locator("li[data-stage='intake'] summary")).to_contain_text("Stage 1: Order intake")
    tab.check("pipeline-en")

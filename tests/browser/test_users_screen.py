"""Admin's own screen (issue 14, item 5: admin administers, and does not see orders or money):
signing in lands on the users, the header offers no board and no tasks; a new user meets the
server's refusals under the fields they are about, then is created, changed (role, access,
password) and the change holds on the server. At desk and phone width; every screen passes
`check` (no console error, no CSP violation, axe, a screenshot)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import as_user
from tests.browser.test_forms import field_error

WIDTHS = [DESKTOP, PHONE]
# Long and of random words: whatever the password policy, it takes it.
STRONG = "серый-Клён-47-рассвет-Бутово"


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_lands_on_the_users_and_is_offered_no_board(
    screen: ScreenFactory, width: int
) -> None:
    tab = screen(width=width, role="admin")
    page = tab.page
    expect(page.get_by_role("heading", name="Пользователи")).to_be_visible()
    assert page.evaluate("() => location.hash") == "#/users"
    nav = page.get_by_role("navigation", name="Разделы")
    expect(nav.get_by_role("link", name="Пользователи")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Канбан")).to_have_count(0)
    expect(nav.get_by_role("link", name="Мои задачи")).to_have_count(0)
    users = page.get_by_role("list", name="Список пользователей")
    expect(users.locator("li[data-username='manager']")).to_contain_text("Менеджер")
    me = users.locator("li[data-username='admin']")
    expect(me).to_contain_text("Это вы")
    tab.check("users")

    # One's own role and access are another admin's to change: offered disabled.
    tab.click(me.get_by_role("button", name="Изменить"))
    mine = page.get_by_role("dialog", name="Пользователь admin")
    expect(mine.get_by_label("Роль", exact=True)).to_be_disabled()
    expect(mine.get_by_label("Может входить в систему")).to_be_disabled()
    tab.check("user-self")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_new_user_meets_the_servers_refusals_then_is_created_and_changed(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    username = f"sborshik_{width}_{uuid.uuid4().hex[:6]}"
    tab = screen(width=width, role="admin")
    page = tab.page
    tab.click(page.get_by_role("button", name="Новый пользователь"))
    form = page.get_by_role("dialog", name="Новый пользователь")
    tab.click(form.get_by_role("button", name="Создать"))
    expect(field_error(form, "Логин")).to_have_text("Обязательное поле")  # asked before sending
    expect(field_error(form, "Роль")).to_have_text("Обязательное поле")

    tab.fill(form.get_by_label("Логин", exact=True), "manager")  # taken
    tab.fill(form.get_by_label("Имя и фамилия"), "Сборщиков Глеб")
    tab.select_option(form.get_by_label("Роль", exact=True), "installer")
    tab.fill(form.get_by_label("Пароль", exact=True), "abc")
    tab.click(form.get_by_role("button", name="Создать"))
    # The gateway's 422: the password's length, under the password, in Russian.
    expect(field_error(form, "Пароль")).to_contain_text("Не короче")
    expect(form.get_by_label("Пароль", exact=True)).to_be_focused()
    tab.check("user-form-refused")

    tab.fill(form.get_by_label("Пароль", exact=True), STRONG)
    tab.click(form.get_by_role("button", name="Создать"))
    expect(field_error(form, "Логин")).to_have_text("Этот логин уже занят")  # the 409
    tab.fill(form.get_by_label("Логин", exact=True), username)
    tab.click(form.get_by_role("button", name="Создать"))
    expect(form).to_have_count(0)
    row = page.locator(f"li[data-username='{username}']")
    expect(row).to_contain_text("Монтажник")
    expect(row).to_contain_text("Активен")

    tab.click(row.get_by_role("button", name="Изменить"))
    change = page.get_by_role("dialog", name=f"Пользователь {username}")
    tab.select_option(change.get_by_label("Роль", exact=True), "measurer")
    tab.click(change.get_by_label("Может входить в систему"))
    tab.fill(change.get_by_label("Новый пароль"), STRONG + "-2")
    tab.click(change.get_by_role("button", name="Сохранить"))
    expect(change).to_have_count(0)
    expect(row).to_contain_text("Замерщик")
    expect(row).to_contain_text("Отключён")
    tab.check("users-changed")

    listed = http.get("/api/v1/users", headers=as_user(http, "admin")).json()
    (made,) = [u for u in listed if u["username"] == username]
    assert (made["role"], made["active"]) == ("measurer", False)

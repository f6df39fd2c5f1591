"""Sessions in the browser (issue 14): signed in with or without "remember me", a reload and
a new tab stay signed in through the refresh cookie (an httpOnly, Secure, SameSite=Strict
cookie that Chromium keeps and sends on http://127.0.0.1), an expired access token is
refreshed silently, logging out returns to the sign-in form, and logging out everywhere signs
out the other tabs too. Every screen passes `check` at desk and phone width."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE

WIDTHS = [DESKTOP, PHONE]
COOKIE = "oms_refresh"


def refresh_cookie(context: BrowserContext) -> dict[str, object] | None:
    found = [dict(c) for c in context.cookies() if c["name"] == COOKIE]
    return found[0] if found else None


def sign_in_form(page: Page, username: str, *, remember: bool) -> None:
    page.get_by_label("Логин", exact=True).fill(username)
    page.get_by_label("Пароль", exact=True).fill("demo")
    if remember:
        page.get_by_label("Запомнить меня").check()
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("button", name="Выйти", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_without_remember_me_a_reload_stays_signed_in_and_logout_returns_to_sign_in(
    screen: ScreenFactory, width: int
) -> None:
    tab = screen(width=width, role=None)
    page = tab.page
    expect(page.get_by_label("Запомнить меня")).not_to_be_checked()  # shared office PCs
    tab.check("sign-in")
    sign_in_form(page, "manager", remember=False)

    cookie = refresh_cookie(tab.context)
    assert cookie is not None, tab.context.cookies()
    assert cookie["httpOnly"] is True
    assert cookie["secure"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/api/v1/auth"
    assert cookie["expires"] == -1  # a session cookie: gone when the browser closes
    assert page.evaluate("() => document.cookie").find(COOKIE) == -1  # no script reads it

    page.reload()
    expect(page.get_by_role("button", name="Выйти", exact=True)).to_be_visible()
    tab.check("signed-in-after-reload")

    # A new tab has no token of its own: the cookie signs it in (a refresh at start-up).
    other = tab.context.new_page()
    with other.expect_response("**/api/v1/auth/refresh") as refreshed:
        other.goto("/")
    assert refreshed.value.status == 200
    expect(other.get_by_role("button", name="Выйти", exact=True)).to_be_visible()
    other.close()

    # An access token about to expire is refreshed before the next request, silently.
    page.evaluate("() => sessionStorage.setItem('oms.token.expires', String(Date.now()))")
    with page.expect_response("**/api/v1/auth/refresh") as refreshed:
        page.goto("/#/tasks")
        page.reload()
    assert refreshed.value.status == 200
    expect(page.get_by_role("heading", name="Мои задачи")).to_be_visible()

    tab.click(page.get_by_role("button", name="Выйти", exact=True))
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()
    assert refresh_cookie(tab.context) is None
    page.reload()
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()  # nothing left to refresh
    tab.check("signed-out")


@pytest.mark.parametrize("width", WIDTHS)
def test_remember_me_keeps_the_cookie_and_logout_everywhere_signs_out_every_tab(
    screen: ScreenFactory, width: int
) -> None:
    tab = screen(width=width, role=None)
    page = tab.page
    sign_in_form(page, "director", remember=True)
    cookie = refresh_cookie(tab.context)
    assert cookie is not None
    assert float(str(cookie["expires"])) > time.time() + 7 * 24 * 3600  # outlives the browser
    tab.check("signed-in-remembered")

    other = tab.context.new_page()
    other.goto("/")
    expect(other.get_by_role("button", name="Выйти", exact=True)).to_be_visible()

    tab.click(page.locator("details.user-menu > summary"))  # the account's own menu
    tab.click(page.get_by_role("button", name="Выйти на всех устройствах"))
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()
    # The other tab's token was ended with the session: its next request sends it to sign in.
    other.reload()
    expect(other.get_by_label("Логин", exact=True)).to_be_visible()
    other.close()
    tab.check("signed-out-everywhere")

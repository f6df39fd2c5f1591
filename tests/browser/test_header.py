"""The header holds every screen a role has, visible without scrolling it sideways: a
director's settings screens fold into «Настройки» (followed links close it), admin's stay in
line (they are all admin has), and at desk width the director's header is one line with the
bell and the help in sight."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_directors_settings_fold_into_one_menu_and_every_link_is_in_sight(
    screen: ScreenFactory, width: int
) -> None:
    tab = screen(width=width, role="director")
    page = tab.page
    nav = page.get_by_role("navigation", name="Разделы")
    for name in ("Контроль", "Канбан", "Все задачи", "Справка"):
        expect(nav.get_by_role("link", name=name)).to_be_in_viewport()
    expect(nav.get_by_role("link", name="Роботы")).to_be_hidden()  # folded
    if width == DESKTOP:
        box = page.locator("header.topbar").bounding_box()
        assert box is not None
        assert box["height"] < 64, f"the header wraps: {box}"

    tab.click(nav.get_by_text("Настройки"))
    for name in ("Рабочее время", "Роботы", "Воронка"):
        expect(nav.get_by_role("link", name=name)).to_be_in_viewport()
    tab.check("header-settings")
    tab.click(nav.get_by_role("link", name="Роботы"))
    expect(page.get_by_role("heading", name="Роботы")).to_be_visible()
    expect(nav.get_by_role("link", name="Воронка")).to_be_hidden()  # closed on the way
    expect(page.locator("details.nav-menu.current")).to_have_count(1)  # the menu says where we are

    # A click elsewhere closes it too.
    tab.click(nav.get_by_text("Настройки"))
    expect(nav.get_by_role("link", name="Воронка")).to_be_visible()
    tab.click_at((width / 2, 700), "the page below the menu")
    expect(nav.get_by_role("link", name="Воронка")).to_be_hidden()


def test_admins_screens_stay_in_line(screen: ScreenFactory) -> None:
    tab = screen(width=DESKTOP, role="admin")
    nav = tab.page.get_by_role("navigation", name="Разделы")
    for name in ("Пользователи", "Рабочее время", "Роботы", "Воронка", "Справка"):
        expect(nav.get_by_role("link", name=name)).to_be_in_viewport()
    expect(nav.get_by_text("Настройки")).to_have_count(0)

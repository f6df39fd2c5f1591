"""«Настройка уведомлений» (issue 16): a crew member sees which notices reach them where, the
ones that never leave the app for their role offered disabled, turns one channel off and quiet
hours on, and the choice holds on the server. At desk and phone width; each screen passes
`check` (no console error, no CSP violation, axe, a screenshot)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import as_user


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_crew_member_turns_a_channel_off_and_quiet_hours_on(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    installer = as_user(http, "installer")
    reset = {"choices": {"visit_moved": {"email": True}}, "quiet_hours": None}
    assert http.put("/api/v1/notifications/preferences", headers=installer, json=reset).is_success
    tab = screen(width=width, role="installer")
    page = tab.page
    tab.goto("/#/notifications")
    tab.click(page.get_by_role("link", name="Настроить"))
    expect(page.get_by_role("heading", name="Настройка уведомлений")).to_be_visible()
    moved = page.get_by_role("checkbox", name="Визит перенесён: Эл. почта", exact=True)
    expect(moved).to_be_checked()
    # A stage change may name an order the crew no longer works on: never beyond the app.
    locked = page.get_by_role("checkbox", name="Смена стадии: Эл. почта (Только в приложении)")
    expect(locked).to_be_disabled()
    tab.check("notification-settings")

    tab.click(moved)
    tab.click(page.get_by_label("Не беспокоить в тихие часы (срочные приходят всегда)"))
    tab.click(page.get_by_role("button", name="Сохранить"))
    expect(page.get_by_text("Настройки сохранены")).to_be_visible()
    tab.check("notification-settings-saved")

    held = http.get("/api/v1/notifications/preferences", headers=installer).json()
    assert held["choices"]["visit_moved"]["email"] is False
    assert held["quiet_hours"]["start"] == "22:00"
    assert held["quiet_hours"]["end"] == "08:00"
    assert held["locked"]["stage_changed"]
    page.reload()
    expect(
        page.get_by_role("checkbox", name="Визит перенесён: Эл. почта", exact=True)
    ).not_to_be_checked()
    assert http.put("/api/v1/notifications/preferences", headers=installer, json=reset).is_success

"""«Настройка уведомлений» (issue 16): a crew member sees which notices reach them where, the
ones that never leave the app for their role offered disabled, turns one channel off and quiet
hours on, and the choice holds on the server. At desk and phone width; each screen passes
`check` (no console error, no CSP violation, axe, a screenshot). On a phone every kind's
channel boxes fit the screen, each with its channel's name beside it (no sideways scroll to
reach «Эл. почта»)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE, Screen
from tests.browser.setup import as_user

CHANNELS = {
    "inapp": "В приложении",
    "email": "Эл. почта",
    "webpush": "Push",
    "telegram": "Telegram",
}


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
    prefs = http.get("/api/v1/notifications/preferences", headers=installer).json()
    assert "email" in prefs["channels"], prefs["channels"]
    if width == PHONE:
        every_box_fits_and_toggles(tab, prefs)
    else:
        # At a desk, a table: a column per channel, named in its heading.
        for channel in prefs["channels"]:
            expect(page.get_by_role("columnheader", name=CHANNELS[channel])).to_be_visible()
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


def every_box_fits_and_toggles(tab: Screen, prefs: dict[str, Any]) -> None:
    """Each kind's row: one box per channel, inside the phone's width, its channel's name
    shown beside it; a box that is not locked turns on and off with a tap (and is left as it
    was found)."""
    page: Page = tab.page
    assert page.viewport_size
    assert page.viewport_size["width"] == PHONE
    for kind in prefs["kinds"]:
        row = page.locator(f"tr[data-kind='{kind}']")
        boxes = row.get_by_role("checkbox")
        expect(boxes).to_have_count(len(prefs["channels"]))
        for n, channel in enumerate(prefs["channels"]):
            box, label = boxes.nth(n), row.locator("label").nth(n)
            label.scroll_into_view_if_needed()
            expect(box).to_be_visible()
            expect(box).to_have_accessible_name(re.compile(f": {re.escape(CHANNELS[channel])}"))
            expect(label).to_have_text(CHANNELS[channel])
            for what, element in (("box", box), ("label", label)):
                rect = element.bounding_box()
                assert rect, (kind, channel, what)
                where = (kind, channel, what, rect)
                assert rect["x"] >= 0, where
                assert rect["x"] + rect["width"] <= PHONE, where
            locked = channel == "inapp" or channel in prefs["locked"].get(kind, [])
            if locked:
                expect(box).to_be_disabled()
                continue
            was = box.is_checked()
            tab.tap(box)
            expect(box).to_be_checked(checked=not was)
            tab.tap(box)
            expect(box).to_be_checked(checked=was)

"""Booking on the crew's calendar: every measurer side by side for the week, a visit booked from
the order card, and the two refusals a booking form meets — the slot taken meanwhile (409,
shown in place, the calendar re-read so it shows the visit that took it) and a time the server
refuses (422, its message under the form). The crew calendar page for every role, at desk and
phone width."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE, Screen
from tests.browser.setup import (
    HOUR,
    as_user,
    board_card,
    book_at,
    create_order,
    crew_member,
    eventually,
    free_hour,
)


def fill_booking(tab: Screen, member_id: str, start: datetime) -> None:
    """The booking form's keyboard path: person, date, start and end (browser local time)."""
    page = tab.page
    local = start.astimezone()
    tab.select_option(page.get_by_label("Исполнитель", exact=True), member_id)
    tab.fill(page.get_by_label("Дата", exact=True), local.strftime("%Y-%m-%d"))
    tab.fill(page.get_by_label("Начало", exact=True), local.strftime("%H:%M"))
    tab.fill(page.get_by_label("Конец", exact=True), (local + HOUR).strftime("%H:%M"))


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_slot_taken_meanwhile_and_a_refused_time_are_shown_in_place(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, title="Кухня угловая", name="Белов Пётр")
    rival = create_order(http, manager, title="Дверь входная", name="Зуева Ольга")
    board_card(http, manager, order["id"])
    board_card(http, manager, rival["id"])
    measurer = crew_member(http, manager, "measurer")
    start = free_hour(http, manager, measurer["id"])

    tab = screen(width=width, role="manager")
    tab.goto(f"/#/order/{order['id']}")
    page = tab.page
    tab.click(page.get_by_role("button", name="Записать на визит"))
    dialog = page.get_by_role("dialog", name="Записать на визит")
    expect(dialog.get_by_role("region", name="Календарь: Замерщик")).to_be_visible()
    tab.check(f"booking-{width}")
    fill_booking(tab, measurer["id"], start)

    # Someone else books the same hour for another order before we press the button.
    taken = book_at(http, manager, rival["id"], "measurement", measurer["id"], start)
    assert taken.status_code == 201, taken.text
    tab.click(page.get_by_role("button", name="Записать", exact=True))
    expect(dialog.get_by_role("alert").filter(has_text="Это время уже занято")).to_be_visible()
    # The calendar was re-read: it now shows the visit that took the hour, as the server has it.
    rival_visit = dialog.locator(f"[data-type=visit][data-order-id='{rival['id']}']")
    expect(rival_visit.first).to_be_attached()
    tab.check(f"booking-slot-taken-{width}")

    # A time before the working day: the server refuses, and its reason is shown.
    early = start.astimezone().replace(hour=5, minute=0)
    fill_booking(tab, measurer["id"], early)
    tab.click(page.get_by_role("button", name="Записать", exact=True))
    expect(dialog.get_by_role("alert").filter(has_text="вне рабочего времени")).to_be_visible()
    visits = http.get(f"/api/v1/orders/{order['id']}/visits", headers=manager).json()
    assert visits == [], "nothing was booked by the refused attempts"


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("role", ["measurer", "installer", "delivery"])
def test_the_crew_calendar_page_shows_each_role(
    screen: ScreenFactory, width: int, role: str
) -> None:
    tab = screen(width=width, role="manager")
    tab.goto(f"/#/calendar/{role}")
    expect(tab.page.get_by_role("navigation", name="Бригады")).to_be_visible()
    free = tab.page.locator("[data-type=free][data-member-id]")
    tab.page.wait_for_timeout(1000)  # the day's data first; the expect below is the check
    # A phone shows one day: after working hours (or on a day off) today has no free time
    # left, and a person turns to the next day (a week on a desktop always has some).
    for _ in range(7 if width == PHONE else 0):
        if free.count():
            break
        tab.click(tab.page.get_by_role("button", name="Следующий день"))
        tab.page.wait_for_timeout(500)
    expect(free.first).to_be_attached()
    tab.check(f"calendar-{role}")


def test_a_visit_is_dragged_to_another_time_and_then_cancelled_with_a_reason(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    manager = as_user(http, "manager")
    order = create_order(http, manager, title="Перенос мышью", name="Мышкина Алла")
    board_card(http, manager, order["id"])
    measurer = crew_member(http, manager, "measurer")
    # Three free hours, so an hour later still fits beside the rest of the suite's bookings.
    start = free_hour(http, manager, measurer["id"], hours=3)
    booked = book_at(http, manager, order["id"], "measurement", measurer["id"], start)
    assert booked.status_code == 201, booked.text
    visit_id = booked.json()["visit_id"]

    tab = screen(width=DESKTOP, role="manager")
    tab.goto("/#/calendar/measurer")
    page = tab.page
    visit = page.locator(f"[data-visit-id='{visit_id}']")
    shown = page.locator("[data-type=free][data-member-id]")
    expect(shown.first).to_be_attached()
    for _ in range(3):  # the first free hour may be in a later week
        if visit.count():
            break
        tab.click(page.get_by_role("button", name="Следующая неделя"))
        expect(shown.first).to_be_attached()
        page.wait_for_timeout(300)
    # The calendar redraws its events when its data arrives (numbers of orders come a moment
    # later): aim once it has settled.
    expect(visit).to_contain_text("№", timeout=10_000)
    page.wait_for_timeout(500)
    visit.scroll_into_view_if_needed()
    box = visit.bounding_box()
    assert box
    slot = int(page.locator(".oms-ec").get_attribute("data-slot-height") or 26)
    # Two half-hour slots down: an hour later, same person.
    grab = (box["x"] + box["width"] / 2, box["y"] + 6)
    tab.drag(visit, (grab[0], grab[1] + 2 * slot))

    def moved() -> dict[str, Any] | None:
        visits = http.get(f"/api/v1/orders/{order['id']}/visits", headers=manager).json()
        later = datetime.fromisoformat(visits[0]["starts_at"])
        # About an hour: the calendar snaps a drop to its quarter hours.
        return visits[0] if 30 * 60 <= (later - start).total_seconds() <= 90 * 60 else None

    eventually(moved, what="the visit about an hour later")
    tab.check("calendar-visit-moved")

    tab.click(page.locator(f"[data-visit-id='{visit_id}']"))
    panel = page.get_by_role("dialog").filter(has_text="Отмена визита")
    tab.fill(panel.get_by_label("Причина отмены"), "Клиент перенёс ремонт на весну")
    tab.click(panel.get_by_role("button", name="Отменить визит"))
    expect(page.locator(f"[data-visit-id='{visit_id}']")).to_have_count(0)
    visits = http.get(f"/api/v1/orders/{order['id']}/visits", headers=manager).json()
    assert visits[0]["status"] == "cancelled"

"""Issue 15 on the order card, at desk and phone width: the installer checks in on their visit
with the phone's position (one tap), and sees the time; a photo far from the pinned site is
flagged «Не подтверждено на объекте», and the manager confirms it with one tap."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE
from tests.browser.setup import board_card, book, create_order, eventually
from tests.e2e.test_on_site import FAR, SITE, photo

WIDTHS = [DESKTOP, PHONE]


def installation_order(app_url: str, title: str) -> dict[str, Any]:
    """An order with an installation visit booked for the demo installer, who can see it."""
    with httpx.Client(base_url=app_url, timeout=30) as http:
        manager = bearer(http, "manager")
        order = create_order(http, manager, title=title, name="Монтажова Анна")
        board_card(http, manager, order["id"])
        visit = book(http, manager, order["id"], "installation", "installer")
        board_card(http, bearer(http, "installer"), order["id"])
        return {**order, "visit_id": visit["visit_id"]}


def card(http: httpx.Client, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    reply = http.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_installer_checks_in_on_the_visit_with_the_phones_position(
    screen: ScreenFactory, app_url: str, width: int
) -> None:
    order = installation_order(app_url, f"Шкаф-купе, отметка {width}")
    tab = screen(width=width, role="installer")
    tab.context.grant_permissions(["geolocation"])
    tab.context.set_geolocation({"latitude": SITE[0], "longitude": SITE[1], "accuracy": 15})
    tab.goto(f"/#/order/{order['id']}")
    page = tab.page
    button = page.get_by_role("button", name="Я на объекте")
    expect(button).to_be_visible()
    before = tab.actions
    tab.click(button)
    expect(page.get_by_role("button", name="Ушёл с объекта")).to_be_visible()
    expect(page.get_by_text("На объекте с", exact=False)).to_be_visible()
    assert tab.actions - before == 1
    tab.check("onsite-checked-in")

    with httpx.Client(base_url=app_url, timeout=30) as http:
        manager = bearer(http, "manager")

        def pinned() -> dict[str, Any] | None:
            found = card(http, manager, order["id"])
            return found if found.get("site") else None

        found = eventually(pinned, what="the site pinned by the check-in")
    assert found["site"] == {"lat": SITE[0], "lon": SITE[1]}
    assert any(v["checked_in_at"] for v in found["visits"])


@pytest.mark.parametrize("width", WIDTHS)
def test_a_photo_far_from_the_site_is_flagged_and_the_manager_confirms_it(
    screen: ScreenFactory, app_url: str, width: int
) -> None:
    order = installation_order(app_url, f"Кухня, фото {width}")
    content = photo(FAR)
    with httpx.Client(base_url=app_url, timeout=30) as http:
        installer = bearer(http, "installer")
        checked = http.post(
            f"/api/v1/visits/{order['visit_id']}/check-in",
            headers=installer,
            json={"lat": SITE[0], "lon": SITE[1]},
        )
        assert checked.status_code == 201, checked.text
        declared = {
            "kind": "photo",
            "purpose": "installation",
            "filename": "далеко.jpg",
            "content_type": "image/jpeg",
            "size": len(content),
            "visit_id": order["visit_id"],
        }
        started = http.post(f"/api/v1/orders/{order['id']}/media", headers=installer, json=declared)
        assert started.status_code == 201, started.text
        put = httpx.put(
            started.json()["upload_url"], content=content, headers={"Content-Type": "image/jpeg"}
        )
        assert put.status_code == 200, put.text
        done = http.post(f"/api/v1/media/{started.json()['media_id']}/complete", headers=installer)
        assert done.status_code == 200, done.text
        manager = bearer(http, "manager")
        eventually(
            lambda: any(
                p.get("site_check") == "not_confirmed_on_site"
                for p in card(http, manager, order["id"])["photos"]
            ),
            what="the photo flagged on the card",
        )

    tab = screen(width=width, role="manager")
    tab.goto(f"/#/order/{order['id']}")
    page = tab.page
    flagged = page.locator(".site-flagged").filter(has_text="далеко.jpg")
    expect(flagged.get_by_text("Не подтверждено на объекте")).to_be_visible()
    tab.check("onsite-photo-flagged")
    tab.click(flagged.get_by_role("button", name="Подтвердить"))
    expect(page.get_by_role("status")).to_contain_text("Фото подтверждено")
    expect(flagged).to_have_count(0)

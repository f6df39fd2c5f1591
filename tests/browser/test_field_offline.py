"""The field on a phone without signal (issue 15): today's visits, photos and "done" kept in
the phone's outbox and sent once, in order, when the network returns — also after the app was
closed. The pages talk to the gateway and S3 through the test proxy (`net`), which a test
switches off: Playwright's own offline switch would not cover everything the page does."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, expect

from tests.browser.conftest import bearer
from tests.browser.screen import CSP_LISTENER, DESKTOP, PHONE, Screen
from tests.browser.setup import board_card, create_order, crew_member, free_hour
from tests.netproxy import NetProxy

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "field_photos"
ZONE = ZoneInfo("Europe/Moscow")  # the company's and the phone's time zone in these tests
# What the fixtures' EXIF says (tests/fixtures/field_photos/make.py): 10:2n on 30 Nov 2026,
# Moscow time, at 55°45'21.3" N 37°37' E.
TAKEN = "2026-11-30T07:21:00"
LAT, LON = 55.755917, 37.616667
NOTE = "Ключи у консьержа, звонить за час"
# Requests the page makes while the proxy refuses them: the browser logs each as an error.
OFFLINE_NOISE = r"net::ERR_|Failed to load resource"


@pytest.fixture
def online(net: NetProxy) -> Iterator[NetProxy]:
    """The proxy, switched back on whatever the test did."""
    yield net
    net.online()


def phone(
    browser: Browser, net: NetProxy, width: int, visit_start: datetime, *, clock: bool = True
) -> Screen:
    """A phone (360x800, touch) or a desktop, opened at the proxy, in the company's time zone,
    standing at the fixtures' GPS position; with `clock`, its clock on the visit's day before
    the visit (so the visit is today's; the server would refuse a check-in from the future)."""
    is_phone = width < 768
    context = browser.new_context(
        base_url=net.gateway_url,
        viewport={"width": width, "height": 800 if is_phone else 900},
        is_mobile=is_phone,
        has_touch=is_phone,
        locale="ru-RU",
        timezone_id=str(ZONE),
        geolocation={"latitude": LAT, "longitude": LON, "accuracy": 15},
        permissions=["geolocation"],
    )
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    tab = Screen(context, width)
    if clock:
        day_start = visit_start.astimezone(ZONE).replace(hour=7, minute=0, second=0, microsecond=0)
        tab.page.clock.set_system_time(min(day_start, visit_start - timedelta(hours=1)))
    return tab


@pytest.fixture
def visit(app_url: str) -> dict[str, Any]:
    """An order with a measurement booked for the demo measurer; its number, ids, start."""
    with httpx.Client(base_url=app_url, timeout=30) as http:
        manager = bearer(http, "manager")
        order = create_order(http, manager, title="Шкаф-купе в прихожую", name="Орлова Вера")
        board_card(http, manager, order["id"])
        member = crew_member(http, manager, "measurer")
        begins = free_hour(http, manager, member["id"])
        reply = http.post(
            f"/api/v1/orders/{order['id']}/visits",
            headers=manager,
            json={
                "kind": "measurement",
                "assignee_id": member["id"],
                "starts_at": begins.isoformat(),
                "ends_at": (begins + timedelta(hours=1)).isoformat(),
                "note": NOTE,
            },
        )
        assert reply.status_code == 201, reply.text
        booked = reply.json()
        visits = http.get(f"/api/v1/orders/{order['id']}/visits", headers=manager).json()
        start = next(v["starts_at"] for v in visits if v["id"] == booked["visit_id"])
    return {**order, **booked, "starts_at": datetime.fromisoformat(start)}


def card_of(tab: Screen, number: int) -> Locator:
    return tab.page.get_by_role("article").filter(has_text=f"№ {number}")


def take_photo(tab: Screen, card: Locator, name: str) -> None:
    """Tap "Фото", then the camera's shutter (the file chooser): two user actions."""
    with tab.page.expect_file_chooser() as chooser:
        tab.tap(card.get_by_role("button", name="Фото", exact=True))
    chooser.value.set_files(PHOTOS / name)
    tab.action_log.append(f"choose {name}")


def media_of(http: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    reply = http.get(f"/api/v1/orders/{order_id}/media", headers=bearer(http, "manager"))
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_photo_on_todays_visit_in_three_taps_or_fewer(
    browser: Browser, online: NetProxy, http: httpx.Client, visit: dict[str, Any], width: int
) -> None:
    tab = phone(browser, online, width, visit["starts_at"])
    try:
        tab.goto("/")
        tab.sign_in("measurer")
        page = tab.page
        # Home for the crew is its visits: today's first.
        expect(page.get_by_role("heading", name="Мои задачи")).to_be_visible()
        today = page.get_by_role("region", name=re.compile(r"^Сегодня"))
        card = today.get_by_role("article").filter(has_text=f"№ {visit['number']}")
        expect(card).to_be_visible()
        expect(card.get_by_role("link", name=re.compile("^Маршрут до адреса"))).to_have_attribute(
            "href", re.compile(r"^https://yandex\.ru/maps/\?rtext=~.+&rtt=auto$")
        )
        expect(card.get_by_role("link", name=re.compile(r"^\+7"))).to_have_attribute(
            "href", re.compile(r"^tel:\+7\d{10}$")
        )
        expect(card).to_contain_text(f"Заметка менеджера: {NOTE}")
        start = tab.actions
        take_photo(tab, card, "site-1.jpg")
        queue = page.get_by_role("region", name=re.compile("^Очередь отправки"))
        expect(queue.locator("[data-state=sent]")).to_have_count(1, timeout=60_000)
        taps = tab.actions - start
        steps = tab.action_log[start:]
        print(f"\nhome → photo uploaded on today's visit ({width} px): {taps} taps: {steps}")
        assert taps <= 3, tab.action_log[start:]

        (item,) = media_of(http, visit["id"])
        assert item["purpose"] == "measurement"
        # The scaled copy kept when and where it was taken…
        assert _same_instant(item["taken_at"], TAKEN), item
        assert item["location"] == pytest.approx({"lat": LAT, "lon": LON}, abs=1e-4), item
        # …and is at most 2560 px, upright (Orientation 1, portrait as the camera was held).
        with httpx.Client(timeout=30) as raw:
            data = raw.get(item["download_url"]).content
        image = Image.open(io.BytesIO(data))
        assert image.size == (1920, 2560), image.size
        assert image.getexif().get(0x0112) == 1
        assert len(data) < (PHOTOS / "site-1.jpg").stat().st_size * 4
        tab.check("field-today-photo")
    finally:
        tab.close()


def _same_instant(found: str | None, utc_naive: str) -> bool:
    if not found:
        return False
    at = datetime.fromisoformat(found)
    return at.astimezone(ZoneInfo("UTC")).replace(tzinfo=None) == datetime.fromisoformat(utc_naive)


@pytest.mark.parametrize("keep", [False, True], ids=["scaled-only", "keep-originals"])
def test_keep_originals_also_uploads_the_photo_as_taken(
    browser: Browser, online: NetProxy, http: httpx.Client, visit: dict[str, Any], keep: bool
) -> None:
    """«Сохранять оригиналы»: off (as on a new phone), a camera photo larger than 2560 px is
    sent scaled only; on, its untouched original follows it, named so in the queue."""
    tab = phone(browser, online, PHONE, visit["starts_at"])
    try:
        tab.goto("/")
        tab.sign_in("measurer")
        page = tab.page
        card = card_of(tab, visit["number"])
        expect(card).to_be_visible()
        setting = page.get_by_role("checkbox", name="Сохранять оригиналы")
        expect(setting).not_to_be_checked()
        if keep:
            tab.tap(setting)
            expect(setting).to_be_checked()
        take_photo(tab, card, "site-1.jpg")
        queue = page.get_by_role("region", name=re.compile("^Очередь отправки"))
        copies = 2 if keep else 1
        expect(queue.get_by_role("listitem")).to_have_count(copies)
        expect(queue.locator("[data-state=sent]")).to_have_count(copies, timeout=60_000)
        originals = queue.get_by_role("listitem").filter(has_text="оригинал")
        expect(originals).to_have_count(1 if keep else 0)
        if keep:
            tab.check("field-photo-original")

        items = media_of(http, visit["id"])
        assert len(items) == copies, items
        source = (PHOTOS / "site-1.jpg").read_bytes()
        found: dict[tuple[int, int], bytes] = {}
        with httpx.Client(timeout=30) as raw:
            for item in items:
                assert item["visit_id"] == visit["visit_id"], item
                assert item["content_type"] == "image/jpeg", item
                data = raw.get(item["download_url"]).content
                assert item["size"] == len(data), item
                found[Image.open(io.BytesIO(data)).size] = data
        # The scaled copy: its longest side 2560, upright (the camera held portrait).
        assert (1920, 2560) in found, list(found)
        assert max(Image.open(io.BytesIO(found[(1920, 2560)])).size) == 2560
        if keep:
            # The original: the camera's own file, byte for byte (3200x2400 stored sideways).
            assert found.get((3200, 2400)) == source, list(found)
        else:
            assert list(found) == [(1920, 2560)]
    finally:
        tab.close()


def test_offline_photos_and_a_measurement_are_sent_once_after_a_restart(
    browser: Browser, online: NetProxy, http: httpx.Client, visit: dict[str, Any]
) -> None:
    tab = phone(browser, online, PHONE, visit["starts_at"], clock=False)
    tab.expect_console_error(OFFLINE_NOISE)
    try:
        tab.goto("/")
        tab.sign_in("measurer")
        page = tab.page
        card = card_of(tab, visit["number"])
        expect(card).to_be_visible()

        online.offline()
        # On site: the check-in is kept with the tap's time and position.
        tab.tap(card.get_by_role("button", name="Я на объекте"))
        expect(card).to_contain_text("Отметка сохранена и уйдёт, когда появится связь")
        for n in range(1, 6):
            take_photo(tab, card, f"site-{n}.jpg")
        queue = page.get_by_role("region", name=re.compile("^Очередь отправки"))
        expect(queue.get_by_role("listitem")).to_have_count(6)
        expect(queue.locator("[data-state=waiting]")).to_have_count(6, timeout=30_000)
        expect(card).to_contain_text("Фото в очереди: 5")

        tab.tap(card.get_by_role("button", name="Выполнено"))
        tab.fill(card.get_by_label("Помещение / проём"), "Прихожая")
        tab.fill(card.get_by_label("Ширина, мм"), "2400")
        tab.fill(card.get_by_label("Высота, мм"), "2700")
        tab.tap(card.get_by_role("button", name="Отметить выполненной"))
        # Sent without signal: queued, not an error.
        expect(card.get_by_text("в очереди", exact=True)).to_be_visible()
        expect(card.get_by_role("alert")).to_have_count(0)
        expect(queue.get_by_role("listitem")).to_have_count(7)
        expect(queue).to_contain_text("ждёт сети")
        tab.check("field-queue-offline")

        # The app is closed; the signal comes back; the app is opened again.
        page.close()
        online.online()
        tab.page = tab.context.new_page()
        tab.page.on("console", tab._on_console)
        tab.page.on("pageerror", tab._on_page_error)
        tab.page.on("response", tab._on_response)
        tab.goto("/")
        queue = tab.page.get_by_role("region", name=re.compile("^Очередь отправки"))
        expect(queue.locator("[data-state=sent]")).to_have_count(7, timeout=120_000)

        media = media_of(http, visit["id"])
        assert len(media) == 5, [m["filename"] for m in media]
        assert len({m["media_id"] for m in media}) == 5
        assert all(m["purpose"] == "measurement" for m in media)
        measurer = bearer(http, "measurer")
        tasks = http.get("/api/v1/tasks", params={"order_id": visit["id"]}, headers=measurer).json()
        done = [t for t in tasks if t["kind"] == "measurement" and t["status"] == "done"]
        assert len(done) == 1, tasks
        visits = http.get(f"/api/v1/orders/{visit['id']}/visits", headers=measurer).json()
        (on_site,) = [v for v in visits if v["id"] == visit["visit_id"]]
        assert on_site["checked_in_at"], on_site
        rooms = [{k: v for k, v in r.items() if v is not None} for r in done[0]["results"]["rooms"]]
        assert rooms == [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2700}]
        tab.check("field-queue-sent")
    finally:
        tab.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_without_signal_the_screen_shows_the_last_known_visits(
    browser: Browser, online: NetProxy, visit: dict[str, Any], width: int
) -> None:
    tab = phone(browser, online, width, visit["starts_at"])
    tab.expect_console_error(OFFLINE_NOISE)
    try:
        tab.goto("/")
        tab.sign_in("measurer")
        page = tab.page
        expect(card_of(tab, visit["number"])).to_be_visible()
        tab.check("field-today")
        # Away to another screen, the signal lost, back: the list read last, and its age.
        tab.goto("/#/notifications")
        expect(page.get_by_role("heading", name="Уведомления")).to_be_visible()
        online.offline()
        tab.goto("/#/tasks")
        expect(
            page.get_by_role("status").filter(has_text="Нет связи — показаны данные на")
        ).to_be_visible()
        expect(card_of(tab, visit["number"])).to_be_visible()
        expect(
            card_of(tab, visit["number"]).get_by_role("button", name="Фото", exact=True)
        ).to_be_visible()
        tab.check("field-today-offline")
    finally:
        tab.close()


def test_an_installer_sees_what_was_measured_on_the_installation_visit(
    browser: Browser, online: NetProxy, http: httpx.Client, visit: dict[str, Any]
) -> None:
    measurer = bearer(http, "measurer")
    rooms = [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2700, "depth_mm": 600}]
    done = http.post(
        f"/api/v1/tasks/{visit['task_id']}/complete",
        json={"results": {"rooms": rooms}},
        headers=measurer,
    )
    assert done.status_code == 200, done.text
    manager = bearer(http, "manager")
    installer = crew_member(http, manager, "installer")
    begins = free_hour(http, manager, installer["id"], hours=2)
    reply = http.post(
        f"/api/v1/orders/{visit['id']}/visits",
        headers=manager,
        json={
            "kind": "installation",
            "assignee_id": installer["id"],
            "starts_at": begins.isoformat(),
            "ends_at": (begins + timedelta(hours=2)).isoformat(),
        },
    )
    assert reply.status_code == 201, reply.text

    tab = phone(browser, online, PHONE, begins)
    try:
        tab.goto("/")
        tab.sign_in("installer")
        card = card_of(tab, visit["number"]).filter(has_text="Монтаж")
        expect(card).to_be_visible()
        tab.tap(card.get_by_text("Замеры (1)"))
        expect(card).to_contain_text("Прихожая: 2400 × 2700 × 600 мм")
        expect(tab.page.get_by_text("Сумма")).to_have_count(0)
        tab.check("field-installer-measured")
    finally:
        tab.close()

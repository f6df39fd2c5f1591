"""The field on a phone (issue 15, items 1 and 5): the app is installable (a manifest whose
icons load, a service worker that controls the page) and starts without signal; a crew member
stays signed in across app restarts; a deactivated user's phone is signed out and wiped at its
next contact while a merely revoked session keeps its data; a push shows a notification.

The pages are opened through the test proxy (`net.gateway_url`, tests/netproxy.py): Playwright's
own offline switch does not reach a service worker's traffic, the proxy's does. `net` is shared
by the session, so each test that cuts it puts it back (`finally: net.online()`).
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import bearer
from tests.browser.screen import DESKTOP, PHONE, Screen, open_screen
from tests.e2e.conftest import NEW_PASSWORD
from tests.netproxy import NetProxy

COOKIE = "oms_refresh"
SIGN_OUT = "Выйти"
# A page offline logs each refused request (the live stream, a poll) as a console error.
OFFLINE_NOISE = r"net::ERR_|Failed to fetch|NetworkError"


@pytest.fixture
def phones(browser: Browser, net: NetProxy, app_url: str) -> Iterator[Any]:
    """Opens phone (or desktop) screens on the proxy's address; closes them all afterwards."""
    opened: list[Screen] = []

    def open_phone(width: int = PHONE, **context: Any) -> Screen:
        tab = open_screen(browser, net.gateway_url, width)
        if context.get("permissions"):
            tab.context.grant_permissions(context["permissions"], origin=net.gateway_url)
        opened.append(tab)
        return tab

    yield open_phone
    net.online()
    for tab in opened:
        tab.close()


# True once the crew screen kept a list on the phone. Never opens a database that is not
# there: an open would create it empty, at the version the app's own upgrade then skips.
CACHED_LIST = """async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === "oms-field")) return false;
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open("oms-field");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  try {
    if (!db.objectStoreNames.contains("cache")) return false;
    return await new Promise((ok) => {
      const r = db.transaction("cache").objectStore("cache").count();
      r.onsuccess = () => ok(r.result > 0);
      r.onerror = () => ok(false);
    });
  } finally {
    db.close();
  }
}"""


def controlled(page: Page) -> bool:
    """The service worker is active and this page is under its control."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => undefined)")
    return bool(page.evaluate("() => navigator.serviceWorker.controller !== null"))


def wait_controlled(page: Page) -> None:
    """After a reload, as the brief's check asks: the reloaded page is controlled from its
    start (the first load is, too, but only once the new worker claims it)."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => undefined)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    assert controlled(page)


def poll(page: Page, read: Callable[[], Any], timeout_s: float = 10) -> Any:
    """`read()` until it is truthy (Playwright's Python API has no expect.poll). Waits with
    the page's timer, not time.sleep: events (DevTools') are only taken in while Playwright
    waits."""
    deadline = time.monotonic() + timeout_s
    while not (value := read()) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return value


def sign_in_form(page: Page, username: str, password: str = "demo") -> None:
    """Signs in without touching "remember me" (what the test is about)."""
    page.get_by_label("Логин", exact=True).fill(username)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("button", name=SIGN_OUT, exact=True)).to_be_visible()


def refresh_cookie(context: BrowserContext) -> dict[str, Any] | None:
    found = [dict(c) for c in context.cookies() if c["name"] == COOKIE]
    return found[0] if found else None


def restarted(browser: Browser, tab: Screen, base_url: str) -> BrowserContext:
    """The same browser profile after the browser (or the installed app) was closed and opened
    again: the cookies that outlive it (those with an expiry) and the origin's storage; the
    session cookies and every tab's sessionStorage are gone."""
    state: Any = tab.context.storage_state()
    state["cookies"] = [c for c in state["cookies"] if c.get("expires", -1) != -1]
    phone = tab.is_phone
    return browser.new_context(
        base_url=base_url,
        storage_state=state,
        viewport={"width": tab.width, "height": 740 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        locale="ru-RU",
    )


def new_user(http: httpx.Client, role: str) -> tuple[str, str]:
    admin = bearer(http, "admin")
    username = f"pwa-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "display_name": username, "role": role, "password": NEW_PASSWORD}
    created = http.post("/api/v1/users", headers=admin, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"]), username


KEEP_LOCAL_DATA = """async () => {
  await new Promise((resolve, reject) => {
    const open = indexedDB.open("oms-test", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("queue");
    open.onsuccess = () => { open.result.close(); resolve(); };
    open.onerror = () => reject(open.error);
  });
  localStorage.setItem("oms.draft", "unsent");
  await (await caches.open("oms-data")).put("/data/visit-1", new Response("{}"));
}"""
LOCAL_DATA = """async () => ({
  databases: (await indexedDB.databases()).map((d) => d.name).sort(),
  draft: localStorage.getItem("oms.draft"),
  caches: (await caches.keys()).sort(),
})"""


def test_the_app_is_installable_and_starts_without_signal(
    phones: Any, net: NetProxy, http: httpx.Client
) -> None:
    tab: Screen = phones()
    page = tab.page
    page.goto("/")
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()

    # The manifest: what a phone reads to install the app, every icon loadable at its size.
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href == "/app/manifest.webmanifest"
    reply = http.get(href)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/manifest+json")
    manifest = reply.json()
    assert manifest["name"] == "Заказы — мебель и двери"
    assert manifest["short_name"] == "Заказы"
    assert manifest["lang"] == "ru"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["theme_color"] == "#1f4e79"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = http.get(f"/app/{icon['src']}")
        assert image.status_code == 200, icon
        assert image.headers["content-type"] == "image/png"
        width, height = Image.open(io.BytesIO(image.content)).size
        assert f"{width}x{height}" == icon["sizes"]

    # The service worker controls the page after a reload, with the page's policy intact.
    wait_controlled(page)
    tab.check("pwa-installable")
    sign_in_form(page, "measurer")
    tab.check("pwa-signed-in")
    # The list read is on the phone (the outbox's cache store) before the signal goes.
    wait_until_true(page, CACHED_LIST, timeout=60)

    # It keeps the app's own files only: no answer of the API is ever in a cache.
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys())
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
          return urls;
        }"""
    )
    assert any(url.endswith("/app/index.html") or "/app/index.html?" in url for url in cached)
    assert not [url for url in cached if "/api/" in url], cached
    # The guides are not the app's page: the worker lets them through to the gateway.
    guide = tab.context.new_page()
    guide.goto("/guides/measurer")
    expect(guide.get_by_role("heading", level=1)).to_contain_text("Справка")
    guide.close()

    net.offline()
    tab.expect_console_error(OFFLINE_NOISE)
    page.reload()
    # The shell, not the browser's "no internet" page: the app's title and a screen of it.
    assert page.title() == "Заказы — мебель и двери"
    # Still the measurer (the refresh cannot be sent): the last known list and its age, not
    # a sign-in form the phone could not send anyway.
    expect(page.get_by_role("button", name=SIGN_OUT)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="показаны данные на")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_role("alert").filter(has_text="Нет связи с сервером")).to_have_count(0)
    tab.page.screenshot(path=tab_shot("pwa-offline-start", tab.width), full_page=True)
    # The API, though, is not answered from anywhere but the gateway.
    api = page.evaluate(
        "() => fetch('/api/v1/health').then((r) => r.status, (e) => 'failed: ' + e.name)"
    )
    assert str(api).startswith("failed"), api
    net.online()


def wait_until_true(page: Page, script: str, timeout: float) -> None:
    """Polls an async page function until it resolves truthy. Not `wait_for_function`: it took
    the promise an async function returns as truthy at once, so a whole run (the measurer with
    many tasks, a slow first read) went offline before the list was kept on the phone."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"not true within {timeout} s: {script[:80]}"
        time.sleep(0.25)


def tab_shot(name: str, width: int) -> str:
    from tests.browser.screen import SCREENS  # noqa: PLC0415 - the screenshots' folder

    SCREENS.mkdir(parents=True, exist_ok=True)
    return str(SCREENS / f"{name}-{width}.png")


def test_a_crew_member_stays_signed_in_across_restarts_an_office_user_without_remember_does_not(
    phones: Any, browser: Browser, net: NetProxy
) -> None:
    # A field role on a phone, "remember me" untouched: the session outlives the browser.
    tab: Screen = phones()
    tab.page.goto("/")
    sign_in_form(tab.page, "installer")
    cookie = refresh_cookie(tab.context)
    assert cookie is not None
    assert float(cookie["expires"]) > time.time() + 7 * 24 * 3600

    again = tab.context.new_page()  # the app opened again while the browser still runs
    with again.expect_response("**/api/v1/auth/refresh") as refreshed:
        again.goto("/")
    assert refreshed.value.status == 200
    expect(again.get_by_role("button", name=SIGN_OUT, exact=True)).to_be_visible()
    again.close()

    after = restarted(browser, tab, net.gateway_url)  # the phone's app killed and started
    try:
        page = after.new_page()
        page.goto("/")
        expect(page.get_by_role("button", name=SIGN_OUT, exact=True)).to_be_visible()
        expect(page.get_by_label("Логин", exact=True)).to_have_count(0)
    finally:
        after.close()

    # An office user who did not ask to be remembered, at a shared desk: a new tab of the
    # running browser is still signed in (that is what a browser session means), but once the
    # browser is closed the next person finds the sign-in form.
    desk: Screen = phones(DESKTOP)
    desk.page.goto("/")
    expect(desk.page.get_by_label("Запомнить меня")).not_to_be_checked()
    sign_in_form(desk.page, "manager")
    cookie = refresh_cookie(desk.context)
    assert cookie is not None
    assert cookie["expires"] == -1
    tab2 = desk.context.new_page()
    tab2.goto("/")
    expect(tab2.get_by_role("button", name=SIGN_OUT, exact=True)).to_be_visible()
    tab2.close()
    after = restarted(browser, desk, net.gateway_url)
    try:
        page = after.new_page()
        page.goto("/")
        expect(page.get_by_label("Логин", exact=True)).to_be_visible()
    finally:
        after.close()


def test_a_deactivated_users_phone_is_wiped_at_its_next_contact(
    phones: Any, http: httpx.Client
) -> None:
    user_id, username = new_user(http, "installer")
    tab: Screen = phones()
    page = tab.page
    page.goto("/")
    sign_in_form(page, username, NEW_PASSWORD)
    page.evaluate(KEEP_LOCAL_DATA)
    # Beside the phone's own outbox and its last list (oms-field), if it opened them already.
    assert "oms-test" in page.evaluate(LOCAL_DATA)["databases"]

    admin = bearer(http, "admin")
    off = http.patch(f"/api/v1/users/{user_id}", headers=admin, json={"active": False})
    assert off.status_code == 200, off.text

    # The next contact: the live stream is told at once, the app asks why, and wipes.
    expect(page.get_by_role("status").filter(has_text="учётная запись отключена")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()
    left = page.evaluate(LOCAL_DATA)
    assert "oms-test" not in left["databases"]
    assert left["draft"] is None
    assert "oms-data" not in left["caches"]
    tab.check("pwa-deactivated-wiped")
    # Nothing signs it in again: the app had the gateway drop the refresh cookie.
    assert poll(page, lambda: refresh_cookie(tab.context) is None)
    page.reload()
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()


def test_a_revoked_session_keeps_the_phones_data_and_asks_to_sign_in(
    phones: Any, http: httpx.Client
) -> None:
    _, username = new_user(http, "installer")
    tab: Screen = phones()
    page = tab.page
    page.goto("/")
    sign_in_form(page, username, NEW_PASSWORD)
    page.evaluate(KEEP_LOCAL_DATA)

    # The same user signs out everywhere from another device (a lost phone found again).
    other = http.post("/api/v1/auth/token", data={"username": username, "password": NEW_PASSWORD})
    assert other.status_code == 200, other.text
    ended = http.post(
        "/api/v1/auth/logout?everywhere=true",
        headers={"Authorization": f"Bearer {other.json()['access_token']}"},
    )
    assert ended.status_code == 200, ended.text

    expect(page.get_by_label("Логин", exact=True)).to_be_visible(timeout=20_000)
    expect(page.get_by_role("status")).to_have_text(
        "Сеанс завершён. Войдите снова: данные на этом устройстве сохранены."
    )
    kept = page.evaluate(LOCAL_DATA)
    assert "oms-test" in kept["databases"]
    assert kept["draft"] == "unsent"
    assert "oms-data" in kept["caches"]
    tab.check("pwa-revoked-kept")


def test_a_push_shows_a_notification_with_the_servers_text(phones: Any, net: NetProxy) -> None:
    tab: Screen = phones(permissions=["notifications"])
    page = tab.page
    page.goto("/")
    wait_controlled(page)

    cdp = tab.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    assert poll(page, lambda: registrations), "DevTools named no service worker registration"
    ours = [
        r
        for r in registrations
        if r["scopeURL"] == f"{net.gateway_url}/" and not r.get("isDeleted")
    ]
    assert ours, registrations
    payload = {
        "title": "Визит перенесён",
        "body": "Монтаж на ул. Ленина, 5 — завтра в 10:00",
        "url": "/#/tasks",
        "tag": "visit-42",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": net.gateway_url,
            "registrationId": ours[0]["registrationId"],
            "data": json.dumps(payload, ensure_ascii=False),
        },
    )
    shown = """() => navigator.serviceWorker.ready
      .then((r) => r.getNotifications())
      .then((list) => list.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                                        icon: n.icon, data: n.data})))"""
    (notice,) = poll(page, lambda: page.evaluate(shown))
    assert notice["title"] == payload["title"]
    assert notice["body"] == payload["body"]
    assert notice["tag"] == "visit-42"
    assert notice["icon"] == f"{net.gateway_url}/app/icons/icon-192.png"
    assert notice["data"] == {"url": "/#/tasks"}
    cdp.detach()

"""Browser tests: the built web app (web/dist) in Debian's Chromium, on the session's whole system.

Run them all with `make browser-test` (it builds the app and installs Chromium first), or one:

    make web-build browser          # after changing web/; Chromium once per machine
    .venv/bin/pytest -q tests/browser/test_harness.py::test_manager_signs_in_at_every_width

Each `screen.check(name)` saves a full-page screenshot as test-artifacts/screens/<name>-<width>.png
(git-ignored), also when the check fails: look there first. `CHROMIUM=/path/to/chrome` drives
another Chromium; the default is /usr/bin/chromium.

Fixtures: `app_url` (the gateway serving the built app), `browser` (one headless Chromium per
session), `screen` (a factory: `screen(width=DESKTOP | PHONE, role="manager")` opens a new
context at that width, signed in as that demo user through the login form, or on the login page
with role=None), `http` (an httpx.Client on the gateway, for setting up data through the API
with `bearer(http, username)`), `net` (tests/netproxy.py, from tests/conftest.py: open the app at
`net.gateway_url` to go `net.offline()` or cut an upload with `net.cut_upload_after(n)`; every
presigned URL points at `net.s3_url`). Within `make test` the browser tests run after every other
directory (the hook below), on the same `stack` as tests/e2e (tests/conftest.py).

Browser tests are plain (sync) functions: while Playwright's sync API runs, asyncio counts a
loop as running in this thread, so async fixtures (tests/e2e's `api`) cannot be used here.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from deploy.local.stack import Stack
from tests.browser.screen import DESKTOP, Screen, open_screen

BROWSER_TESTS = Path(__file__).resolve().parent
WEB = BROWSER_TESTS.parents[1] / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Some steps wait on the whole stack (a projection, a push) on a busy 2-core CI machine.
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Last: a browser test changes what the shared stack holds (orders, bookings), and the
    # other layers' tests were written against a stack only they use. A stable sort keeps
    # each directory's own order.
    items.sort(key=lambda item: BROWSER_TESTS in item.path.parents)


class ScreenFactory(Protocol):
    def __call__(
        self, width: int = DESKTOP, role: str | None = "manager", *, locale: str = "ru-RU"
    ) -> Screen: ...


@pytest.fixture(scope="session")
def app_url(stack: Stack) -> str:
    """The gateway's address, once the built app is there to serve."""
    if (WEB / "package.json").is_file():
        index = WEB / "dist" / "index.html"
        if not index.is_file():
            pytest.fail(f"{index} is missing: run `make web-build`", pytrace=False)
        # Declarations (the generated API client's schema.d.ts) never reach the bundle.
        sources = [
            p for p in (WEB / "src").rglob("*") if p.is_file() and p.suffixes[-2:] != [".d", ".ts"]
        ]
        newest = max(sources, key=lambda p: p.stat().st_mtime, default=None)
        if newest and newest.stat().st_mtime > index.stat().st_mtime:
            warnings.warn(
                f"web/dist is older than {newest.relative_to(WEB)}: run `make web-build`",
                stacklevel=1,
            )
    return stack.urls["gateway"]


@pytest.fixture(scope="session")
def browser(app_url: str) -> Iterator[Browser]:
    # After the stack (app_url): its start and stop call asyncio.run, which refuses to run while
    # Playwright's sync API holds this thread's loop; so the browser starts after it and is
    # closed before it.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make browser`", pytrace=False)
    args = ["--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium's sandbox refuses to start as root
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def screen(browser: Browser, app_url: str) -> Iterator[ScreenFactory]:
    """Opens screens (each its own context: own storage, own sign-in); all closed afterwards."""
    opened: list[Screen] = []

    def open_signed_in(
        width: int = DESKTOP, role: str | None = "manager", *, locale: str = "ru-RU"
    ) -> Screen:
        opened.append(open_screen(browser, app_url, width, locale=locale))
        opened[-1].goto("/")
        if role is not None:
            opened[-1].sign_in(role)
        return opened[-1]

    yield open_signed_in
    for each in opened:
        each.close()


@pytest.fixture
def http(app_url: str) -> Iterator[httpx.Client]:
    """The API, for a test's setup and its checks behind the screen (sync, as the tests are)."""
    with httpx.Client(base_url=app_url, timeout=30) as client:
        yield client


def bearer(http: httpx.Client, username: str, password: str = "demo") -> dict[str, str]:
    """The Authorization header of a demo user (tests/e2e's `login`, without asyncio)."""
    reply = http.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}

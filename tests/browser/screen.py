"""A signed-in browser tab at one width, as a test sees it: what went wrong on it, a `check` of
the rendered screen, and user actions counted (how many clicks, keys and drops a task takes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    FilePayload,
    Locator,
    Page,
    Response,
    expect,
)

from tests.browser import checks

PHONE = 360
DESKTOP = 1440
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
SCREEN_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Longer than a touch sensor's activation delay (the board's is 220 ms).
TOUCH_HOLD_MS = 350
LOCATOR_SELECTOR = re.compile(r"selector=(['\"])(.*)\1>$", re.DOTALL)

# Init scripts run before the page's own and are not subject to its CSP.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} refused ${e.blockedURI || "inline"}` +
    (e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : ""));
});
"""
# The browser logs every refused request as an error; 4xx answers are the API saying no, which
# the app shows in its own words (5xx are caught from the responses themselves).
HANDLED_REFUSAL = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)


def open_screen(browser: Browser, base_url: str, width: int, *, locale: str = "ru-RU") -> Screen:
    """A new context: a phone (360x740, touch) below 768 px, a desktop (x900) from there."""
    phone = width < 768
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": width, "height": 740 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        locale=locale,
    )
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    return Screen(context, width)


def sign_in(page: Page, username: str, password: str = "demo") -> None:
    """Sign in through the login form, as a person would; opens `/` first on a blank tab."""
    if not page.url.startswith("http"):
        page.goto("/")
    # The app labels the fields so; name= is the fallback should a label change.
    login = page.get_by_label("Логин", exact=True).or_(page.locator("input[name=username]"))
    secret = page.get_by_label("Пароль", exact=True).or_(page.locator("input[name=password]"))
    submit = page.get_by_role("button", name="Войти", exact=True)
    login.first.fill(username)
    secret.first.fill(password)
    submit.or_(page.locator("form button[type=submit]")).first.click()
    try:
        expect(login.first).to_be_hidden(timeout=15_000)
    except AssertionError:
        alerts = page.get_by_role("alert").all_inner_texts()
        pytest.fail(f"signing in as {username} did not finish; the page says {alerts}")


class Screen:
    """One tab in its own browser context. Wrap user actions in the methods below to count them."""

    def __init__(self, context: BrowserContext, width: int) -> None:
        self.context = context
        self.width = width
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.server_errors: list[str] = []
        self.action_log: list[str] = []
        self._expected_console: list[re.Pattern[str]] = [HANDLED_REFUSAL]
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)

    @property
    def is_phone(self) -> bool:
        return self.width < 768

    @property
    def actions(self) -> int:
        """User actions so far: clicks, taps, fills, key chords, drops, choices, file picks."""
        return len(self.action_log)

    def goto(self, path: str = "/") -> None:
        """Navigate (not a counted action: a test's starting point, not a step of the task)."""
        self.page.goto(path)

    def sign_in(self, username: str, password: str = "demo") -> None:
        sign_in(self.page, username, password)

    def expect_console_error(self, pattern: str) -> None:
        """A console error this test provokes on purpose (regex); `check` then lets it pass."""
        self._expected_console.append(re.compile(pattern))

    # -- counted user actions --------------------------------------------------------------

    def click(self, target: Locator) -> None:
        target.click()
        self._count("click", target)

    def click_at(self, point: tuple[float, float], what: str) -> None:
        """A click on a point of the viewport (a time in a calendar's grid, which has no element
        of its own to aim at); `what` names it in the action log."""
        self.page.mouse.click(*point)
        self.action_log.append(f"click at {what}")

    def tap(self, target: Locator) -> None:
        """A tap on a touch screen; a click elsewhere."""
        if self.is_phone:
            target.tap()
        else:
            target.click()
        self._count("tap", target)

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)
        self._count(f"fill {text!r}", target)

    def press(self, target: Locator | Page, keys: str) -> None:
        """One key or chord (`Control+Enter`) counts as one action."""
        if isinstance(target, Page):
            target.keyboard.press(keys)
        else:
            target.press(keys)
        self._count(f"press {keys}", target)

    def drag(
        self,
        source: Locator,
        target: Locator | tuple[float, float],
        *,
        touch: bool = False,
        steps: int = 12,
    ) -> None:
        """Press on `source`, move to `target`, release: one drop. Both must be at least partly
        in view (the centre of the part in view is aimed at); `target` may be a point in the
        viewport instead, e.g. a phone's right edge, where the board scrolls to the next column.

        With the mouse, the first short move gets past a pointer sensor's activation distance
        (dnd-kit), the stepped move lets it see the pointer travel over the targets. With
        `touch` (phones), a finger presses and holds first, as a touch sensor with a delay
        (so that a swipe still scrolls) waits for.
        """
        start = _centre(source)
        end = target if isinstance(target, tuple) else _centre(target)
        if touch:
            self._touch_drag(start, end, steps)
        else:
            self.page.mouse.move(*start)
            self.page.mouse.down()
            self.page.mouse.move(start[0] + 8, start[1] + 8, steps=3)
            self.page.mouse.move(*end, steps=steps)
            self.page.mouse.move(end[0] + 1, end[1] + 1)
            self.page.mouse.up()
        self._count("drag", source, target)

    def _touch_drag(self, start: tuple[float, float], end: tuple[float, float], steps: int) -> None:
        # Playwright has taps but no touch moves: DevTools' Input domain dispatches real touch
        # events, which go through the browser's gesture handling as a finger's would.
        cdp = self.context.new_cdp_session(self.page)
        try:

            def touch(kind: str, x: float, y: float) -> None:
                points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
                cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

            touch("touchStart", *start)
            self.page.wait_for_timeout(TOUCH_HOLD_MS)
            for i in range(1, steps + 1):
                touch("touchMove", *_between(start, end, i / steps))
                self.page.wait_for_timeout(16)  # a frame: sensors read positions per frame
            touch("touchEnd", *end)
        finally:
            cdp.detach()

    def select_option(
        self, target: Locator, value: str | Sequence[str] | None = None, *, label: str | None = None
    ) -> None:
        target.select_option(value, label=label)
        self._count(f"select {value or label!r}", target)

    def set_input_files(
        self,
        target: Locator,
        files: str | Path | FilePayload | Sequence[str | Path] | Sequence[FilePayload],
    ) -> None:
        target.set_input_files(files)
        self._count("choose files", target)

    # -- the screen check ------------------------------------------------------------------

    def csp_violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("() => window.__csp || []")
        return found

    def check(self, name: str) -> None:
        """Screenshot the whole page to test-artifacts/screens/<name>-<width>.png, then fail
        listing every problem: sideways scroll, console or page errors, 5xx answers, CSP
        violations, dictionary keys on screen, and axe-core's serious/critical violations."""
        assert SCREEN_NAME.match(name), f"screen names are lowercase file names: {name!r}"
        self.page.wait_for_load_state("load")
        self.page.evaluate("() => document.fonts.ready.then(() => undefined)")
        SCREENS.mkdir(parents=True, exist_ok=True)
        shot = SCREENS / f"{name}-{self.width}.png"
        self.page.screenshot(path=shot, full_page=True)
        console = [
            line
            for line in self.console_errors
            if not any(p.search(line) for p in self._expected_console)
        ]
        sections = {
            "sideways scroll": checks.horizontal_overflow(self.page),
            "console errors": console,
            "page errors": self.page_errors,
            "server errors": self.server_errors,
            # Read before axe runs, so nothing axe does is blamed on the app.
            "CSP violations": self.csp_violations(),
            "untranslated keys": checks.untranslated_keys(self.page),
            "accessibility (axe-core)": checks.accessibility_violations(self.page),
        }
        problems = [
            f"{title}:\n" + "\n".join(f"  {line}" for line in lines)
            for title, lines in sections.items()
            if lines
        ]
        if problems:
            pytest.fail(
                f"screen {name!r} at {self.width} px ({self.page.url}; {shot}):\n"
                + "\n".join(problems),
                pytrace=False,
            )

    def close(self) -> None:
        self.context.close()

    # -- listeners -------------------------------------------------------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            line = message.location.get("lineNumber")
            self.console_errors.append(message.text + (f" ({where}:{line})" if where else ""))

    def _on_page_error(self, error: Error) -> None:
        # The message and the first frames: where in the bundle it was thrown.
        self.page_errors.append("\n    ".join((error.stack or error.message).splitlines()[:4]))

    def _on_response(self, response: Response) -> None:
        if response.status >= 500 and _origin(response.url) == _origin(self.page.url):
            method = response.request.method
            self.server_errors.append(f"{response.status} {method} {response.url}")

    def _count(self, what: str, *targets: Locator | Page | tuple[float, float]) -> None:
        self.action_log.append(f"{what} {' → '.join(map(_describe, targets))}".strip())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _centre(target: Locator) -> tuple[float, float]:
    """The centre of the part of `target` in view (a phone shows a board column only in part)."""
    box = target.bounding_box()
    view = target.page.viewport_size
    assert box is not None, f"{_describe(target)} is not visible"
    assert view is not None
    left, right = max(box["x"], 0), min(box["x"] + box["width"], view["width"])
    top, bottom = max(box["y"], 0), min(box["y"] + box["height"], view["height"])
    if left >= right or top >= bottom:
        pytest.fail(f"{_describe(target)} is out of view: scroll it into view before dragging")
    return (left + right) / 2, (top + bottom) / 2


def _between(a: tuple[float, float], b: tuple[float, float], share: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share


def _describe(target: Locator | Page | tuple[float, float]) -> str:
    if isinstance(target, Page):
        return "page"
    if isinstance(target, tuple):
        return f"({target[0]:.0f}, {target[1]:.0f})"
    # A locator's repr ends in its selector (the readable part): `... selector='#to'>`.
    found = LOCATOR_SELECTOR.search(repr(target))
    return found.group(2) if found else repr(target)

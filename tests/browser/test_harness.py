"""The harness itself, on whatever app the gateway serves: the login screen and the first
screen after signing in pass `check` at both widths, and the actions counter counts."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP, PHONE, SCREENS


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_manager_signs_in_at_every_width(screen: ScreenFactory, width: int) -> None:
    tab = screen(width=width, role=None)
    tab.check("login")
    assert (SCREENS / f"login-{width}.png").stat().st_size > 0

    tab.sign_in("manager")
    tab.check("home")
    assert tab.page.get_by_label("Логин", exact=True).count() == 0


def test_user_actions_are_counted(screen: ScreenFactory) -> None:
    tab = screen(width=PHONE, role=None)
    login = tab.page.get_by_label("Логин", exact=True)
    tab.tap(login)
    tab.fill(login, "manager")
    tab.press(login, "Control+A")
    tab.press(tab.page, "Tab")
    assert tab.actions == 4
    assert tab.action_log[1].startswith("fill 'manager'")
    assert tab.page.get_by_label("Пароль", exact=True).evaluate(
        "el => el === document.activeElement"
    )


def test_check_lists_everything_wrong_with_a_screen(screen: ScreenFactory) -> None:
    tab = screen(width=PHONE, role=None)
    tab.page.route("**/harness/broken", lambda route: route.fulfill(status=503, body="down"))
    # Through DevTools, which the page's CSP does not govern; the <script> it adds is governed.
    tab.page.evaluate(
        """async () => {
          const wide = document.createElement("div");
          wide.id = "too-wide";
          wide.style.width = "2000px";
          wide.style.height = "4px";
          const key = document.createElement("p");
          key.textContent = "Статус: order.card.missing";
          const image = document.createElement("img");
          image.src = "/app/icon.svg";
          const inline = document.createElement("script");
          inline.textContent = "window.inlineRan = true";
          document.body.append(wide, key, image, inline);
          console.error("harness: a console error");
          setTimeout(() => { throw new Error("harness: a page error"); });
          await fetch("/harness/broken");
          await new Promise((resolve) => setTimeout(resolve, 100));
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failed:
        tab.check("harness-faults")
    report = str(failed.value)
    for expected in (
        "sideways scroll:",
        "<div#too-wide> reaches 2000 px",
        "console errors:",
        "harness: a console error",
        "page errors:",
        "Error: harness: a page error",
        "server errors:",
        "503 GET http",
        "CSP violations:",
        "script-src-elem refused inline",
        "untranslated keys:",
        "order.card.missing (in text)",
        "image-alt (critical)",
    ):
        assert expected in report, f"{expected!r} not in:\n{report}"
    assert not tab.page.evaluate("() => window.inlineRan === true")
    assert (SCREENS / f"harness-faults-{PHONE}.png").is_file()


def test_a_drag_is_one_action_that_drops_on_its_target(screen: ScreenFactory) -> None:
    tab = screen(width=DESKTOP, role=None)
    tab.page.evaluate(
        """() => {
          window.drops = [];
          // As on a drag-and-drop surface: else the first drag selects text, and pressing on a
          // selection starts the browser's own drag of it (pointercancel, no pointerup).
          document.body.style.userSelect = "none";
          for (const id of ["from", "to"]) {
            const box = document.createElement("div");
            box.id = id;
            box.style.position = "fixed";
            box.style.top = "200px";
            box.style.left = id === "from" ? "100px" : "600px";
            box.style.width = box.style.height = "80px";
            box.addEventListener("pointerdown", () => window.drops.push("down " + id));
            box.addEventListener("pointerup", () => window.drops.push("up " + id));
            document.body.append(box);
          }
        }"""
    )
    tab.drag(tab.page.locator("#from"), tab.page.locator("#to"))
    assert tab.page.evaluate("() => window.drops") == ["down from", "up to"]
    assert tab.actions == 1
    assert tab.action_log == ["drag #from → #to"]

    tab.drag(tab.page.locator("#from"), (610, 210))  # a point: inside #to's corner
    assert tab.page.evaluate("() => window.drops")[2:] == ["down from", "up to"]
    assert tab.action_log[1] == "drag #from → (610, 210)"


def test_a_finger_drag_holds_then_moves_and_counts_once(screen: ScreenFactory) -> None:
    tab = screen(width=PHONE, role=None)
    tab.page.evaluate(
        """() => {
          window.touches = [];
          const log = (e) => window.touches.push([e.type, e.timeStamp]);
          for (const id of ["from", "to"]) {
            const box = document.createElement("div");
            box.id = id;
            box.style.position = "fixed";
            box.style.top = id === "from" ? "200px" : "500px";
            box.style.left = "40px";
            box.style.width = box.style.height = "80px";
            box.style.touchAction = "none";
            document.body.append(box);
          }
          const from = document.getElementById("from");
          for (const type of ["touchstart", "touchmove", "touchend"]) {
            from.addEventListener(type, log);
          }
        }"""
    )
    tab.drag(tab.page.locator("#from"), tab.page.locator("#to"), touch=True, steps=5)
    touches = tab.page.evaluate("() => window.touches")
    kinds = [kind for kind, _ in touches]
    assert kinds == ["touchstart"] + ["touchmove"] * 5 + ["touchend"]
    held = touches[1][1] - touches[0][1]
    assert held >= 300, f"the finger moved after {held} ms, before a touch sensor's delay"
    assert tab.actions == 1

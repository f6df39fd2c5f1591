"""«Импорт из Битрикс24» (issue 20, go-live): the admin brings the company's deals over from
Bitrix24's CSV export, as a person without a technical background would — the file dropped on
the page (desk) or picked (phone), the check that runs at once, the Bitrix24 stages matched to
ours (two suggested by their titles, one chosen), the report in words, the import, its result
with a link to each order, and a second run that creates nothing. The director then opens an
imported order by its link (an admin sees no orders). At desk and phone width; every state
`check`ed (console, CSP, axe, a screenshot)."""

from __future__ import annotations

import base64
import random
import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests import bitrix24_fixture as b24
from tests.browser.conftest import ScreenFactory, bearer
from tests.browser.screen import DESKTOP, PHONE, Screen
from tests.browser.setup import eventually

NEW_STAGE = "Ждём предоплату"  # a stage of the portal's own, which we do not have
GHOST = "Призрак Битриксов"  # a responsible person with no user here


def count(page: Page, kind: str) -> Locator:
    return page.locator(f"[data-count={kind}] dd")


def drop_file(tab: Screen, zone: Locator, name: str, content: bytes) -> None:
    """Drop a file on `zone` as a file dragged from the desktop arrives: a drop event whose
    DataTransfer holds it (Playwright drags only elements of the page itself)."""
    transfer = tab.page.evaluate_handle(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: "text/csv" }));
            return dt;
        }""",
        [name, base64.b64encode(content).decode("ascii")],
    )
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    tab.action_log.append(f"drop {name}")


def as_long_import(route: Route) -> None:
    route.continue_(url=f"{route.request.url}&wait=0")


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_admin_imports_a_csv_export_and_the_director_opens_an_order(
    screen: ScreenFactory, http: httpx.Client, width: int
) -> None:
    # Deal ids and contacts of this run's own: the other width's run (and a run before) on
    # the same stack would otherwise find these deals imported already.
    first = random.randrange(10_000, 90_000) * 10
    contact = random.randrange(500, 880)
    measured, paid, won, lone = (str(first + i) for i in range(4))
    export = b24.csv_export(
        [
            (measured, "Замер", contact, "Мария Петрова"),  # our manager, by display name
            (paid, NEW_STAGE, contact + 1, GHOST),
            (won, "Сделка успешна", contact + 2, "Мария Петрова"),
            (lone, "Замер", None, "Мария Петрова"),  # no contact: skipped, and said why
        ]
    )

    tab = screen(width=width, role="admin")
    page = tab.page
    tab.click(page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Импорт"))
    expect(page.get_by_role("heading", name="Импорт сделок из Битрикс24")).to_be_visible()
    # A desk offers to drop the file; a phone (no files to drag) only the picker.
    drop_hint = page.get_by_text("Перетащите файл сюда")
    if width == DESKTOP:
        expect(drop_hint).to_be_visible()
    else:
        expect(drop_hint).to_be_hidden()
    tab.check("import-choose")

    # 1 → 2: the file, and the check at once. Bitrix24's CSV names stages by title: ours of
    # the same title («Замер») and a won one are suggested, the portal's own is the admin's.
    if width == DESKTOP:
        drop_file(tab, page.locator(".imp-drop"), "сделки.csv", export)
    else:
        tab.set_input_files(
            page.get_by_label("Файл выгрузки Битрикс24 (.csv или .json)"),
            {"name": "сделки.csv", "mimeType": "text/csv", "buffer": export},
        )
    expect(page.get_by_text("Файл: сделки.csv")).to_be_visible()
    stages = page.get_by_role("heading", name="2. Сопоставьте этапы")
    expect(stages).to_be_visible()
    measurement = page.get_by_label("Этап Битрикс24 «Замер»")
    expect(measurement.locator("option:checked")).to_have_text("Замер")
    won_stage = page.get_by_label("Этап Битрикс24 «Сделка успешна»")
    expect(won_stage.locator("option:checked")).to_have_text("Закрытие")
    unknown = page.get_by_label(f"Этап Битрикс24 «{NEW_STAGE}»")
    expect(unknown.locator("option:checked")).to_have_text("— не переносить —")
    # Nothing is imported on a suggestion nobody has looked at.
    expect(page.get_by_role("button", name="Импортировать")).to_be_disabled()
    expect(page.get_by_text("Сначала проверьте выбранные этапы.")).to_be_visible()
    tab.check("import-stages")

    tab.select_option(unknown, label="Заключение сделки")
    tab.click(page.get_by_role("button", name="Проверить снова"))

    # 3: the report in words — three orders to create, one deal skipped with its reason, the
    # responsible person we have no user for; the stage form gone, every stage matched.
    report = page.locator(".imp-report")
    expect(count(page, "created")).to_have_text("3")
    expect(stages).to_have_count(0)
    expect(count(page, "skipped")).to_have_text("1")
    expect(report.locator(f"tr[data-skipped='{lone}']")).to_contain_text(
        "у сделки нет контакта (клиента)"
    )
    expect(report.locator(f"tr[data-deal='{paid}']")).to_contain_text("будет создан")
    expect(report.locator(f"tr[data-deal='{paid}']")).to_contain_text("Заключение сделки")
    expect(report.locator(f"tr[data-deal='{won}']")).to_contain_text("Закрытие")
    expect(report.get_by_text(GHOST)).to_be_visible()
    expect(report).to_contain_text("нет нашего пользователя с таким e-mail, логином или именем")
    tab.check("import-dry-run")

    # 4: the import, its result with a link to each order it made. Taken as a long import is
    # (`wait=0`: the gateway answers 202 with the job at once), so the screen follows the job.
    page.route(re.compile(r".*/api/v1/imports/bitrix24/csv\?dry_run=false$"), as_long_import)
    with page.expect_response(
        lambda r: re.search(r"/api/v1/imports/[0-9a-f-]{36}$", r.url) is not None
    ) as followed:
        tab.click(page.get_by_role("button", name="Импортировать"))
    assert followed.value.json()["dry_run"] is False
    page.unroute(re.compile(r".*/api/v1/imports/bitrix24/csv\?dry_run=false$"))
    expect(page.get_by_role("heading", name="Готово: импорт выполнен")).to_be_visible()
    expect(count(page, "created")).to_have_text("3")
    expect(page.get_by_text("администратор заказов не видит")).to_be_visible()
    link = page.get_by_role("link", name=f"Открыть заказ (сделка {measured})")
    expect(link).to_be_visible()
    tab.check("import-done")
    href = link.get_attribute("href")
    assert href is not None
    assert href.startswith("#/order/"), href

    # A second run of the same file creates nothing: all three are there, unchanged.
    tab.click(page.get_by_role("button", name="Импортировать ещё раз"))
    expect(count(page, "unchanged")).to_have_text("3")
    expect(count(page, "created")).to_have_text("0")
    expect(page.get_by_text("повторный импорт ничего не создаёт заново")).to_be_visible()
    tab.check("import-again")

    # Both imports are in the list of past ones (the checks are not), done, by the admin.
    past = page.get_by_role("region", name="Прошлые импорты")
    expect(past.get_by_role("row").filter(has_text="выполнен").first).to_contain_text("admin")
    expect(past.get_by_role("row").filter(has_text="3 из 3")).not_to_have_count(0)
    tab.click(past.get_by_role("button", name="Показать отчёт").first)
    earlier = page.locator(".imp-past-report")
    expect(earlier.get_by_role("heading", name="Отчёт импорта от")).to_be_visible()
    expect(earlier.locator("[data-count=unchanged] dd")).to_have_text("3")  # the newest: the re-run
    tab.check("import-past")
    if width == DESKTOP:  # the same screen in English, the user's other language
        tab.click(page.get_by_role("button", name="EN"))
        expect(page.get_by_role("heading", name="Import deals from Bitrix24")).to_be_visible()
        expect(page.get_by_role("heading", name="Done: the import is complete")).to_be_visible()
        expect(page.locator(".imp-past-report")).to_contain_text("Unchanged (already brought over)")
        tab.check("import-en")

    # The director follows the link to the imported order: in «Замер», with its customer.
    director = bearer(http, "director")
    order_id = href.removeprefix("#/order/")
    eventually(
        lambda: http.get(f"/api/v1/orders/{order_id}", headers=director).status_code == 200,
        what="the imported order's card",
    )
    boss = screen(width=width, role="director")
    boss.goto(f"/{href}")
    card = boss.page
    expect(card.get_by_text(f"Шкаф-купе №{measured}").first).to_be_visible()
    expect(card.get_by_text(f"Клиент{contact} Фамилия{contact}").first).to_be_visible()
    expect(card.locator(".stage-badge")).to_have_text("Замер")
    boss.check("import-order")

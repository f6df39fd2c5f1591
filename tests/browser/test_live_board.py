"""A change made elsewhere reaches an open board without a reload, replacing only its card: with
2,000 orders on the board, a customer renamed through the API shows on the card in place, the
board asks the server for that one card (never the whole board again), and no other card's DOM
is touched (a MutationObserver watches every card; the other cards' nodes are the same nodes)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from playwright.sync_api import Request, expect

from tests.browser.conftest import ScreenFactory
from tests.browser.screen import DESKTOP
from tests.browser.setup import as_user, board_ready, create_order, eventually

ORDERS = 2_000
PARALLEL = 16


def seed(http: httpx.Client, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    def one(i: int) -> dict[str, Any]:
        return create_order(
            http,
            headers,
            title=f"Заказ для нагрузки {i}",
            name=f"Клиент {i:04d}",
            phone=f"+7 915 {i // 10_000:03d}-{i % 10_000 // 100:02d}-{i % 100:02d}",
        )

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, range(count)))


def board_total(http: httpx.Client, headers: dict[str, str]) -> int:
    reply = http.get("/api/v1/board", headers=headers, params={"limit": 1})
    return sum(c["count"] for c in reply.json()["columns"])


WATCH = """() => {
  window.__touched = new Set();
  window.__cards = new Map();
  for (const card of document.querySelectorAll("a.card[data-order-id]")) {
    window.__cards.set(card.dataset.orderId, card);
  }
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const card = node && node.closest("a.card[data-order-id]");
      if (card) window.__touched.add(card.dataset.orderId);
      for (const gone of record.removedNodes) {
        if (gone.nodeType === 1 && gone.matches("a.card, li")) window.__touched.add("removed");
      }
    }
  });
  observer.observe(document.querySelector("main"), {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}"""

SAME_NODES = """() => {
  let same = 0;
  for (const [id, node] of window.__cards) {
    const now = document.querySelector(`a.card[data-order-id="${id}"]`);
    if (now === node) same += 1;
  }
  return same;
}"""


def test_a_change_through_the_api_replaces_only_its_card(
    screen: ScreenFactory, http: httpx.Client
) -> None:
    board_ready(http)
    manager = as_user(http, "manager")
    before = board_total(http, manager)
    seed(http, manager, ORDERS)
    eventually(
        lambda: board_total(http, manager) >= before + ORDERS,
        timeout=120,
        what=f"{ORDERS} orders on the board",
    )

    tab = screen(width=DESKTOP, role="manager")
    page = tab.page
    intake = page.locator("section.column[data-stage='intake']")
    expect(intake.locator("a.card").first).to_be_visible()
    cards = page.locator("a.card[data-order-id]")
    shown = cards.count()
    assert shown > 10
    target = intake.locator("a.card[data-order-id]").nth(3)
    order_id = target.get_attribute("data-order-id")
    assert order_id

    asked: list[str] = []

    def note(request: Request) -> None:
        if "/api/v1/board" in request.url:
            asked.append(request.url)

    page.evaluate(WATCH)
    page.on("request", note)
    version = int(target.get_attribute("data-version") or 0)
    renamed = http.patch(
        f"/api/v1/orders/{order_id}/customer",
        headers=manager,
        json={"name": "Переименована Через API", "expected_version": version},
    )
    assert renamed.status_code == 200, renamed.text

    card = page.locator(f"a.card[data-order-id='{order_id}']")
    expect(card).to_contain_text("Переименована Через API", timeout=30_000)
    expect(card).to_have_attribute("data-version", str(renamed.json()["version"]))
    page.wait_for_timeout(1_000)  # anything else the change would set off has had its time

    whole = [url for url in asked if "/api/v1/board/cards/" not in url]
    assert whole == [], f"the whole board was asked for again: {whole}"
    assert [url.split("?")[0] for url in asked] == [
        f"{tab.page.url.split('/#')[0]}/api/v1/board/cards/{order_id}"
    ]
    touched = set(page.evaluate("() => [...window.__touched]"))
    assert touched == {order_id}, f"cards touched besides the renamed one: {touched - {order_id}}"
    same = page.evaluate(SAME_NODES)
    assert same >= shown - 1, f"only {same} of {shown} card nodes are the ones first rendered"
    tab.check("board-2000-live")

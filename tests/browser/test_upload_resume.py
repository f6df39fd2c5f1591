"""An upload cut halfway resumes from where it stopped (issue 15, item 3), on a phone (360x800,
touch) behind the test's network proxy: the order card's form sends a 22 MiB scan in parts,
the proxy cuts the connection that carries the 50 % mark, and the app sends again only what
the store does not hold. The server then holds one file, byte for byte the one picked, and
the bytes sent again are far fewer than the file (a restart from zero would send it all).
The same on a desktop width (the office scans contracts too)."""

from __future__ import annotations

import hashlib
import os
import uuid

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, expect

from tests.browser.conftest import bearer
from tests.browser.screen import DESKTOP, PHONE, open_screen
from tests.browser.setup import create_order
from tests.netproxy import NetProxy

MiB = 1024 * 1024
SIZE = 22 * MiB  # five parts of 5 MiB (the last 2 MiB)


def scan(size: int) -> bytes:
    """Passes the PDF checks (magic bytes, end marker) with noise between, so nothing in the
    path can compress it."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_an_upload_cut_halfway_resumes_and_the_server_holds_one_right_file(
    browser: Browser, http: httpx.Client, net: NetProxy, width: int
) -> None:
    head = bearer(http, "manager")
    order = create_order(http, head, title=f"Кухня {uuid.uuid4().hex[:4]}")
    data = scan(SIZE)
    tab = open_screen(browser, net.gateway_url, width)
    try:
        page = tab.page
        if width == PHONE:
            page.set_viewport_size({"width": 360, "height": 800})  # the phone
        tab.goto("/")
        tab.sign_in("manager")
        tab.goto(f"/#/order/{order['id']}")
        media = page.locator("section[aria-labelledby='order-media']")
        tab.select_option(media.get_by_label("Назначение"), "requirements")

        # The part whose connection the proxy cuts: the browser logs it, the app sends it again.
        tab.expect_console_error(r"net::ERR_[A-Z_]+ \(.*[?&]partNumber=")
        before = net.s3_bytes_up
        net.cut_upload_after(SIZE // 2)
        file: FilePayload = {"name": "обмер.pdf", "mimeType": "application/pdf", "buffer": data}
        tab.set_input_files(media.locator("input[type=file][multiple]"), file)
        status = media.get_by_role("list", name="Загрузки")
        expect(status.get_by_text("обмер.pdf — загружено", exact=True)).to_be_visible(
            timeout=60_000
        )
        sent = net.s3_bytes_up - before
        again = sent - SIZE
        print(  # the figure the issue asks for
            f"\nupload cut at 50 %: {sent / MiB:.1f} MiB sent for {SIZE / MiB:.0f} MiB, "
            f"{again / MiB:.1f} MiB ({again / SIZE:.0%}) sent again"
        )
        assert again > 0, "the proxy cut nothing: the test proves nothing"
        assert again < 0.6 * SIZE, f"{again} of {SIZE} bytes were sent again"

        items = http.get(f"/api/v1/orders/{order['id']}/media", headers=head).json()
        assert [(i["filename"], i["size"]) for i in items] == [("обмер.pdf", SIZE)]
        kept = httpx.get(items[0]["download_url"], timeout=60)
        assert kept.status_code == 200
        assert hashlib.sha256(kept.content).hexdigest() == hashlib.sha256(data).hexdigest()
        expect(media.get_by_role("link", name="Скачать обмер.pdf")).to_be_visible()
        tab.check("upload-resumed")
    finally:
        tab.close()

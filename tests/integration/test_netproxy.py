"""The test proxy itself (tests/netproxy.py): what the offline and cut-upload tests rely on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from tests.netproxy import NetProxy


class _Counting(BaseHTTPRequestHandler):
    received: ClassVar[list[int]] = []  # body bytes each request delivered, complete or not

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        got = 0
        while got < length and (chunk := self.rfile.read(min(65536, length - got))):
            got += len(chunk)
        _Counting.received.append(got)
        if got == length:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxied() -> Iterator[tuple[NetProxy, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    upstream = f"http://127.0.0.1:{server.server_address[1]}"
    proxy = NetProxy()
    proxy.start()
    proxy.point("gateway", upstream)
    proxy.point("s3", upstream)
    _Counting.received.clear()
    yield proxy, upstream
    proxy.stop()
    server.shutdown()


def test_it_passes_requests_until_offline_and_again_once_online(
    proxied: tuple[NetProxy, str],
) -> None:
    proxy, _ = proxied
    assert httpx.get(proxy.gateway_url).text == "ok"
    proxy.offline()
    for url in (proxy.gateway_url, proxy.s3_url):
        with pytest.raises(httpx.TransportError):
            httpx.get(url, timeout=5)
    proxy.online()
    assert httpx.get(proxy.s3_url).text == "ok"


def test_a_cut_upload_stops_after_the_bytes_asked_and_only_once(
    proxied: tuple[NetProxy, str],
) -> None:
    proxy, _ = proxied
    body = b"x" * 1_000_000
    proxy.cut_upload_after(400_000)
    with pytest.raises(httpx.TransportError):
        httpx.put(proxy.s3_url, content=body, timeout=10)
    assert httpx.put(proxy.s3_url, content=body, timeout=10).status_code == 200
    # The headers count too: the first body stopped short of 400,000 bytes, the second is whole.
    assert _Counting.received[0] < 400_000
    assert _Counting.received[1] == len(body)
    assert proxy.s3_bytes_up > len(body) + 300_000

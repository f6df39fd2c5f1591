"""The fault proxy's modes (deploy/local/faultproxy.py), on loopback against a tiny server:
what the fault run and the browser tests switch on and rely on."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from deploy.local.faultproxy import FaultProxy, ProxyProcess


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as S3 clients use it

    def do_GET(self) -> None:
        self._reply(b"ok")

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._reply(str(len(body)).encode())

    def _reply(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    front = FaultProxy("test")
    front.point(f"http://127.0.0.1:{server.server_address[1]}")
    front.start()
    yield front
    front.stop()
    server.shutdown()
    server.server_close()


def test_it_passes_bytes_both_ways(proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url) as client:
        assert client.get("/").text == "ok"
        assert client.put("/x", content=b"a" * 200_000).text == "200000"
    assert proxy.bytes_up > 200_000


def test_offline_cuts_open_connections_and_refuses_new_ones_until_online(
    proxy: FaultProxy,
) -> None:
    held = socket.create_connection(proxy.address)
    held.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"200 OK" in held.recv(1024)
    proxy.offline()
    held.settimeout(5)
    try:
        ended = held.recv(1024)
    except ConnectionResetError:  # cut with a reset rather than a close: cut all the same
        ended = b""
    assert ended == b""  # the open connection was cut
    with pytest.raises(httpx.TransportError):
        httpx.get(proxy.url, timeout=5)
    proxy.online()
    assert httpx.get(proxy.url).text == "ok"


def test_latency_holds_each_round_trip_and_turns_off(proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url) as client:
        client.get("/")  # the connection is open: only the round trip is timed
        proxy.latency(0.2)
        started = time.monotonic()
        assert client.get("/").text == "ok"
        assert time.monotonic() - started >= 0.4  # held on the way there and back
        proxy.latency(0)
        started = time.monotonic()
        client.get("/")
        assert time.monotonic() - started < 0.2


def test_answer_replies_with_the_status_itself_even_after_a_body_then_passes_again(
    proxy: FaultProxy,
) -> None:
    held = httpx.Client(base_url=proxy.url)
    assert held.get("/").text == "ok"
    proxy.answer(507, b"<Error><Code>XMinioStorageFull</Code></Error>", "application/xml")
    # Its kept-alive connection was cut: it comes back on a new one and meets the answer.
    assert held.get("/").status_code == 507
    held.close()
    with httpx.Client(base_url=proxy.url) as client:
        full = client.put("/x", content=b"b" * 300_000)
        assert full.status_code == 507
        assert full.headers["content-type"] == "application/xml"
        assert b"XMinioStorageFull" in full.content
        assert client.get("/").status_code == 507
        proxy.passing()
        assert client.get("/").text == "ok"


def test_a_cut_upload_stops_after_the_bytes_asked_and_only_once(proxy: FaultProxy) -> None:
    proxy.cut_upload_after(100_000)
    with pytest.raises(httpx.TransportError):
        httpx.put(proxy.url, content=b"c" * 500_000, timeout=5)
    assert httpx.put(proxy.url, content=b"c" * 500_000, timeout=5).text == "500000"


def test_an_upstream_that_is_not_there_closes_the_client_at_once() -> None:
    front = FaultProxy("nowhere")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        front.point(f"127.0.0.1:{probe.getsockname()[1]}")  # bound, never listening
        front.start()
        try:
            with pytest.raises(httpx.TransportError):
                httpx.get(front.url, timeout=5)
        finally:
            front.stop()


def test_the_proxy_in_a_process_of_its_own_is_switched_over_its_control_port(
    tmp_path: Path,
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    front = ProxyProcess("child", tmp_path)
    front.start()
    try:
        front.point(f"http://127.0.0.1:{server.server_address[1]}")
        assert httpx.get(front.url).text == "ok"
        front.answer(500, b"<Error><Code>InternalError</Code></Error>", "application/xml")
        assert httpx.get(front.url).status_code == 500
        front.offline()
        with pytest.raises(httpx.TransportError):
            httpx.get(front.url, timeout=5)
        front.passing()
        front.latency(0.1)
        started = time.monotonic()
        assert httpx.get(front.url).text == "ok"
        assert time.monotonic() - started >= 0.2
        front.passing()
        assert front.bytes_up > 0
    finally:
        front.stop()
        server.shutdown()
        server.server_close()

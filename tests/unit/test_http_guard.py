"""The HTTP limits below the app (plumbing/http_guard.py), on a real uvicorn over a real
socket: oversized heads and bodies, malformed request lines and slow clients are refused in
the API's error shape, or cut off, and ordinary requests are untouched."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from deploy.local.ports import free_port
from plumbing.app import install_error_handlers
from plumbing.http_guard import HttpLimits, guarded_protocol
from tests.e2e.bad_input_helpers import (
    SlowClient,
    assert_error_body,
    raw_exchange,
    raw_get,
)

LIMITS = HttpLimits(
    max_head_bytes=8 * 1024,
    max_body_bytes=64 * 1024,
    head_timeout_s=0.5,
    body_idle_timeout_s=0.5,
    body_timeout_s=2.0,
    linger_s=1.0,
)


def tiny_app() -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(LIMITS.head_timeout_s * 3)  # longer than any deadline
        return {"slow": "done"}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    install_error_handlers(app)
    return app


@pytest.fixture
async def url() -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        tiny_app(),
        host="127.0.0.1",
        port=port,
        http=guarded_protocol(LIMITS),
        log_config=None,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


def request(start: bytes, *lines: bytes, body: bytes = b"") -> bytes:
    head = [start, b"Host: 127.0.0.1", *lines, b"Connection: close", b"", b""]
    return b"\r\n".join(head) + body


async def test_an_ordinary_request_and_a_slow_answer_are_untouched(url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/hello")).json() == {"hello": "world"}
        # Same kept-alive connection; the app takes longer than every deadline.
        assert (await client.get("/slow")).json() == {"slow": "done"}
        posted = await client.post("/echo", content=b"x" * (LIMITS.max_body_bytes - 1))
        assert posted.json() == {"size": LIMITS.max_body_bytes - 1}


@pytest.mark.parametrize(
    "target", [b"/hello?q=\xff\xfe", b"/\xff\xfe\x80", b"/hello\x00"], ids=["query", "path", "nul"]
)
async def test_raw_bytes_in_the_target_get_400_in_the_error_shape(url: str, target: bytes) -> None:
    reply = await raw_exchange(url, raw_get(target))
    assert reply.status == 400, reply
    assert assert_error_body(reply.headers["content-type"], reply.body)["code"] == "bad_request"


@pytest.mark.parametrize(
    "extra",
    [
        [b"X-Padding: " + b"a" * 20_000],  # arrives in one read: h11 alone would take it
        [b"X-Padding: " + b"a" * 1024 * 1024],  # beyond h11's buffer
        [b"X-Many-%d: v" % i for i in range(5_000)],
    ],
    ids=["20KB", "1MB", "5000-headers"],
)
async def test_a_head_too_large_gets_431_in_the_error_shape(url: str, extra: list[bytes]) -> None:
    reply = await raw_exchange(url, raw_get(b"/hello", *extra))
    assert reply.status == 431, reply
    body = assert_error_body(reply.headers["content-type"], reply.body)
    assert body["code"] == "headers_too_large"


async def test_a_declared_body_too_large_is_refused_before_it_is_sent(url: str) -> None:
    started = time.monotonic()
    head = request(b"POST /echo HTTP/1.1", b"Content-Length: 10000000000")
    reply = await raw_exchange(url, head, timeout=5)
    assert reply.status == 413, reply
    assert assert_error_body(reply.headers["content-type"], reply.body)["code"] == "too_large"
    assert time.monotonic() - started < LIMITS.linger_s + 1


async def test_a_client_sending_a_body_too_large_still_reads_the_413(url: str) -> None:
    # The whole body is sent: the answer comes first, and the lingering close reads and drops
    # the rest, so the client is not reset before it reads the answer.
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(5):
            reply = await client.post("/echo", content=b"x" * (2 * 1024 * 1024))
            assert reply.status_code == 413
            assert reply.json()["code"] == "too_large"


async def test_a_chunked_body_too_large_is_cut_at_the_limit(url: str) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"x" * 4096

    async with httpx.AsyncClient(base_url=url) as client:
        try:
            reply = await client.post("/echo", content=chunks())
        except httpx.TransportError:
            return  # cut off while still sending is a fine end too
    assert reply.status_code == 413, reply.text


async def _ended_within(slow: SlowClient, seconds: float, *, trickle: bool) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        end = await slow.poll()
        if end is not None:
            assert end.status in (None, 408), end
            if end.status == 408:
                assert_error_body(end.headers["content-type"], end.body)
            return True
        if trickle:
            await slow.trickle(b"a")
        await asyncio.sleep(0.05)
    return False


async def test_a_client_trickling_its_head_is_cut_off(url: str) -> None:
    slow = await SlowClient.open(url, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    try:
        assert await _ended_within(slow, LIMITS.head_timeout_s + 1.5, trickle=True)
    finally:
        await slow.close()


async def test_a_connection_that_sends_nothing_is_closed(url: str) -> None:
    slow = await SlowClient.open(url, b"")
    try:
        assert await _ended_within(slow, LIMITS.head_timeout_s + 1.5, trickle=False)
    finally:
        await slow.close()


async def test_a_body_that_stops_arriving_is_cut_off(url: str) -> None:
    start = request(b"POST /echo HTTP/1.1", b"Content-Length: 1000", body=b'{"title":')
    slow = await SlowClient.open(url, start)
    try:
        assert await _ended_within(slow, LIMITS.body_idle_timeout_s + 1.5, trickle=False)
    finally:
        await slow.close()


async def test_a_body_trickled_forever_is_cut_off_at_the_total_deadline(url: str) -> None:
    start = request(b"POST /echo HTTP/1.1", b"Content-Length: 60000", body=b"x")
    slow = await SlowClient.open(url, start)
    try:
        # A byte every 50 ms never trips the idle deadline; the total one ends it.
        assert await _ended_within(slow, LIMITS.body_timeout_s + 1.5, trickle=True)
    finally:
        await slow.close()


async def test_others_are_answered_while_slow_clients_wait(url: str) -> None:
    slow = [await SlowClient.open(url, b"GET /hello HTTP/1.1\r\nX-Slow: ") for _ in range(20)]
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/hello")).status_code == 200
    finally:
        for one in slow:
            await one.close()

"""A TCP proxy in front of the gateway and the object store, for tests of a phone losing signal.

Playwright's offline switch does not cover a service worker's traffic, and a cut upload needs
a connection broken halfway through a body, which no browser switch does. So the page talks to
the gateway and to S3 (the stack's S3_PUBLIC_ENDPOINT) through this proxy, and a test turns the
network off (`offline()`: open connections are cut, new ones are closed at once) or cuts the
next upload after n bytes (`cut_upload_after`).

It works on bytes, not HTTP: the Host header passes unchanged, so presigned URLs signed for the
proxy's address verify at the store. It is a few dozen lines of asyncio streams on a thread of
its own (the browser tests are sync); proxy libraries (mitmproxy, toxiproxy) bring a process or
a binary for what these lines do.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CHUNK = 64 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class _Route:
    name: str
    port: int
    upstream: tuple[str, int] | None = None
    server: asyncio.Server | None = None
    writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class NetProxy:
    """`gateway_url` and `s3_url` lead to what `point()` names; both ports are known before the
    stack starts, so its media service can sign URLs for `s3_url`."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="netproxy", daemon=True)
        self._routes = {name: _Route(name, _free_port()) for name in ("gateway", "s3")}
        self._online = True
        self._cut_budget: int | None = None  # bytes client->S3 still let through, when armed
        self.s3_bytes_up = 0

    @property
    def gateway_url(self) -> str:
        return self._routes["gateway"].url

    @property
    def s3_url(self) -> str:
        return self._routes["s3"].url

    def start(self) -> None:
        self._thread.start()
        for route in self._routes.values():
            self._call(self._listen(route))

    def point(self, name: str, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._routes[name].upstream = (parts.hostname or "127.0.0.1", parts.port or 80)

    def offline(self) -> None:
        self._online = False
        self._call(self._cut_all())

    def online(self) -> None:
        self._online = True

    def cut_upload_after(self, n: int) -> None:
        """One-shot: once n more bytes went from a client to S3, that connection is cut."""
        self._cut_budget = n

    def stop(self) -> None:
        async def close() -> None:
            await self._cut_all()
            for route in self._routes.values():
                if route.server is not None:
                    route.server.close()

        with contextlib.suppress(Exception):
            self._call(close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    async def _listen(self, route: _Route) -> None:
        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._serve(route, reader, writer)

        route.server = await asyncio.start_server(accept, "127.0.0.1", route.port)

    async def _cut_all(self) -> None:
        for route in self._routes.values():
            for writer in list(route.writers):
                writer.transport.abort()
            route.writers.clear()

    async def _serve(
        self, route: _Route, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        if not self._online or route.upstream is None:
            client_out.transport.abort()  # no signal: the connection dies at once
            return
        try:
            upstream_in, upstream_out = await asyncio.open_connection(*route.upstream)
        except OSError:
            client_out.transport.abort()
            return
        route.writers.update((client_out, upstream_out))
        try:
            await asyncio.gather(
                self._pipe(client_in, upstream_out, client_out, up=route.name == "s3"),
                self._pipe(upstream_in, client_out, upstream_out, up=False),
            )
        finally:
            for writer in (client_out, upstream_out):
                route.writers.discard(writer)
                writer.transport.abort()

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        source_writer: asyncio.StreamWriter,
        *,
        up: bool,
    ) -> None:
        try:
            while chunk := await source.read(CHUNK):
                cut = False
                if up:
                    if self._cut_budget is not None and len(chunk) >= self._cut_budget:
                        chunk, cut = chunk[: self._cut_budget], True
                        self._cut_budget = None
                    elif self._cut_budget is not None:
                        self._cut_budget -= len(chunk)
                    self.s3_bytes_up += len(chunk)
                sink.write(chunk)
                await sink.drain()
                if cut:
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            # Either side ending ends both: a half-open connection would hang the other pipe.
            sink.transport.abort()
            source_writer.transport.abort()

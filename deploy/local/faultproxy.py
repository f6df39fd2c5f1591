"""A TCP proxy in front of one server, with faults switched on and off while it runs.

The browser tests put it between the page and the gateway and S3 (tests/netproxy.py: a phone
losing signal, an upload cut halfway), and the fault run between the services and PostgreSQL,
the broker and the object store (chaos/faults.py: a slow database, a partitioned broker, a
store that fails or is full). The modes:

- passing (the default): bytes both ways, unchanged;
- `offline()`: open connections are cut and new ones are closed at once (a partition);
- `latency(s)`: every chunk is held `s` seconds before it is passed on, both ways, so a
  request-and-answer protocol (PostgreSQL) gets `2 s` more per round trip;
- `answer(status, body)`: open connections are cut and every new request is answered with
  this HTTP status by the proxy itself (an S3 server failing or out of space);
- `cut_upload_after(n)`: one-shot, the connection that carries the n-th byte from a client is
  cut there (an upload broken halfway through its body).

It works on bytes, not HTTP (only `answer` reads a request's head): the Host header passes
unchanged, so presigned URLs signed for the proxy's address verify at the store, and any TCP
protocol passes (PostgreSQL, Kafka). A few dozen lines of asyncio streams on a thread of its
own, so sync callers (the browser tests) and async ones (the fault run) alike can switch it;
proxy programs (toxiproxy, mitmproxy) bring a binary or a process for what these lines do.

`ProxyProcess` is the same proxy in a child process of its own, switched over a control
port: the fault run's proxies carry every query of every service and all of the broker's
traffic, which in the driver's own process competed with the driver for one interpreter
(the first full run with them in-process had the read side far behind from its first phase).

    python -m deploy.local.faultproxy --port 7001 --control 7002 --to 127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import socketserver
import sys
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from deploy.local.ports import LOCALHOST, free_port, tcp_accepts, wait_until
from deploy.local.process import ChildProcess

CHUNK = 64 * 1024
REPO_ROOT = Path(__file__).resolve().parents[2]  # not layout's: it imports half the system
_HEAD_LIMIT = 64 * 1024  # a request head longer than this is cut, not answered
_BODY_LIMIT = 64 * 1024 * 1024  # bodies up to this are read before answering, then cut


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"

    def response(self) -> bytes:
        try:
            reason = HTTPStatus(self.status).phrase
        except ValueError:
            reason = "Error"
        head = (
            f"HTTP/1.1 {self.status} {reason}\r\n"
            f"Content-Type: {self.content_type}\r\n"
            f"Content-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + self.body


class FaultProxy:
    """Listens on 127.0.0.1:`port` (chosen now, so what must name the proxy's address — a
    presigned URL, a broker's advertised listener — can before the upstream exists) and
    forwards to what `point()` names."""

    def __init__(self, name: str, port: int | None = None) -> None:
        self.name = name
        self.port = port if port is not None else free_port()
        self.upstream: tuple[str, int] | None = None
        self.bytes_up = 0  # bytes from clients to the upstream, all connections
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"proxy-{name}", daemon=True
        )
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._online = True
        self._latency = 0.0
        self._answer: Answer | None = None
        self._cut_budget: int | None = None  # bytes client->upstream still let through

    @property
    def address(self) -> tuple[str, int]:
        return LOCALHOST, self.port

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def point(self, upstream: str) -> None:
        """`http://host:port`, `tcp://host:port` or `host:port`."""
        parts = urlsplit(upstream if "//" in upstream else f"tcp://{upstream}")
        self.upstream = (parts.hostname or LOCALHOST, parts.port or 80)

    def start(self) -> None:
        self._thread.start()
        self._call(self._listen())

    def stop(self) -> None:
        async def close() -> None:
            self._cut_all()
            if self._server is not None:
                self._server.close()

        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # ---- the modes ----

    def passing(self) -> None:
        """Back to normal: every fault off (a one-shot cut still armed stays armed)."""
        self._online, self._latency, self._answer = True, 0.0, None

    def offline(self) -> None:
        self._online = False
        self._call_soon(self._cut_all)

    def online(self) -> None:
        self._online = True

    def latency(self, seconds: float) -> None:
        """From now on, also on open connections; 0 turns it off."""
        self._latency = max(0.0, seconds)

    def answer(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        """Every request from now on gets this answer; open connections are cut, so a client
        keeping one alive comes back on a new one and meets it too."""
        self._answer = Answer(status, body, content_type)
        self._call_soon(self._cut_all)

    def cut_upload_after(self, n: int) -> None:
        """One-shot: once n more bytes went from a client upstream, that connection is cut."""
        self._cut_budget = n

    # ---- the machinery ----

    def _call(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    def _call_soon(self, work: Any) -> None:
        """Run `work` on the proxy's loop and wait for it (from any thread but that one)."""

        async def run() -> None:
            work()

        self._call(run())

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, LOCALHOST, self.port)

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        if not self._online or self.upstream is None:
            client_out.transport.abort()  # nobody there: the connection dies at once
            return
        if self._answer is not None:
            await self._answer_one(self._answer, client_in, client_out)
            return
        try:
            upstream_in, upstream_out = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_out.transport.abort()
            return
        self._writers.update((client_out, upstream_out))
        try:
            await asyncio.gather(
                self._pipe(client_in, upstream_out, client_out, up=True),
                self._pipe(upstream_in, client_out, upstream_out, up=False),
            )
        finally:
            for writer in (client_out, upstream_out):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _answer_one(
        self, answer: Answer, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        """Read the request (head, and a body up to a limit, so the client is not cut while
        it still sends and sees the answer), answer it and close."""
        self._writers.add(client_out)
        try:
            head = await client_in.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length" and value.strip().isdigit():
                    length = int(value.strip())
            if length <= _BODY_LIMIT:
                with contextlib.suppress(asyncio.IncompleteReadError):
                    await client_in.readexactly(length)
            client_out.write(answer.response())
            await client_out.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(client_out)
            client_out.close()

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
                    self.bytes_up += len(chunk)
                if self._latency:
                    await asyncio.sleep(self._latency)
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


class Front(Protocol):
    """What a stack needs of a proxy in front of a server (deploy/local/stack.py)."""

    @property
    def port(self) -> int: ...

    def point(self, upstream: str) -> None: ...


class _Control(socketserver.StreamRequestHandler):
    """One JSON line in, `{"ok": ...}` out, per request: the parent's switch."""

    proxy: FaultProxy

    def handle(self) -> None:
        for line in self.rfile:
            order = json.loads(line)
            op = order.pop("op")
            if op == "answer":
                order["body"] = base64.b64decode(order["body"])
            result = self.proxy.bytes_up if op == "bytes_up" else getattr(self.proxy, op)(**order)
            self.wfile.write(json.dumps({"ok": result}).encode() + b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control", type=int, required=True)
    parser.add_argument("--to", default="", help="the upstream, host:port (or point it later)")
    parser.add_argument("--name", default="proxy")
    args = parser.parse_args(argv)
    proxy = FaultProxy(args.name, args.port)
    if args.to:
        proxy.point(args.to)
    proxy.start()
    handler = type("Control", (_Control,), {"proxy": proxy})
    with socketserver.ThreadingTCPServer((LOCALHOST, args.control), handler) as control:
        control.daemon_threads = True
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=control.shutdown).start())
        control.serve_forever()
    proxy.stop()
    return 0


class ProxyProcess:
    """A FaultProxy in a child process, with the same switches."""

    def __init__(self, name: str, log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self._control = free_port()
        self._log_dir = log_dir
        self._child: ChildProcess | None = None
        self._link: socket.socket | None = None
        self._replies: Any = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def start(self) -> None:
        argv = [sys.executable, "-m", "deploy.local.faultproxy", "--name", self.name]
        argv += ["--port", str(self.port), "--control", str(self._control)]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        log = self._log_dir / f"proxy-{self.name}.log"
        self._child = child = ChildProcess(argv, log, env=env, cwd=REPO_ROOT)
        child.spawn()
        wait_until(
            lambda: tcp_accepts(self._control),
            what=f"proxy {self.name} (log: {log})",
            timeout=15,
            alive=lambda: child.running,
        )

    def stop(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None
        if self._child is not None:
            self._child.stop(signal.SIGTERM, timeout=5)

    def _send(self, op: str, **args: Any) -> Any:
        with self._lock:
            if self._link is None:
                self._link = socket.create_connection((LOCALHOST, self._control), timeout=10)
                self._replies = self._link.makefile("rb")
            self._link.sendall(json.dumps({"op": op, **args}).encode() + b"\n")
            return json.loads(self._replies.readline())["ok"]

    def point(self, upstream: str) -> None:
        self._send("point", upstream=upstream)

    def passing(self) -> None:
        self._send("passing")

    def offline(self) -> None:
        self._send("offline")

    def online(self) -> None:
        self._send("online")

    def latency(self, seconds: float) -> None:
        self._send("latency", seconds=seconds)

    def answer(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        encoded = base64.b64encode(body).decode()
        self._send("answer", status=status, body=encoded, content_type=content_type)

    def cut_upload_after(self, n: int) -> None:
        self._send("cut_upload_after", n=n)

    @property
    def bytes_up(self) -> int:
        return int(self._send("bytes_up"))


if __name__ == "__main__":
    sys.exit(main())
